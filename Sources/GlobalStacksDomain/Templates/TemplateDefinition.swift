/// What a build makes: a base, the steps that change its filesystem (each with the environment, working directory
/// and user that the steps before it set), and what the template says about its sandboxes.
public struct TemplateDefinition: Sendable, Equatable {
    public let base: Base
    public let steps: [Step]
    public let config: TemplateConfig

    public enum Base: Sendable, Equatable {
        /// A Debian release, bootstrapped from Debian's packages.
        case debian(String)
        /// An existing template (its root is the base).
        case template(TemplateReference)
    }

    public struct Step: Sendable, Equatable {
        public let instruction: String
        public let action: Action
        public let environment: [String: String]
        public let workingDirectory: String
        public let user: String

        public init(instruction: String, action: Action, environment: [String: String], workingDirectory: String, user: String) {
            self.instruction = instruction
            self.action = action
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.user = user
        }
    }

    public enum Action: Sendable, Equatable {
        /// A shell command (`/bin/sh -c`).
        case run(String)
        /// Paths of the build context to a path of the template.
        case copy(sources: [String], destination: String)
    }

    public init(base: Base, steps: [Step], config: TemplateConfig) {
        self.base = base
        self.steps = steps
        self.config = config
    }

    /// Whether a step takes files from the build context (which must then be uploaded).
    public var needsContext: Bool {
        steps.contains { if case .copy = $0.action { true } else { false } }
    }

    /// Debian releases a build may start from (the ones Debian's archive serves).
    public static let debianReleases: Set<String> = ["bullseye", "bookworm", "trixie"]
    public static let maximumDefinitionBytes = 64 << 10
    public static let maximumInstructions = 200
    public static let maximumSteps = 64
}
