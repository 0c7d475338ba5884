/// What S3 answered when a call failed: its HTTP status and the `Code` and `Message` of its error document
/// (`NoSuchBucket`, `SignatureDoesNotMatch`, `InvalidAccessKeyId`, `AccessDenied`, …). A response without an error
/// document (a HEAD, a proxy's page) gets a code made from the status, as the AWS SDKs do.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The endpoint could not be reached or answered something that is not S3.
    public static func unreachable(_ detail: String) -> S3Error {
        S3Error(status: 0, code: "Unreachable", message: detail)
    }

    public var description: String { "S3 \(status) \(code): \(message)" }

    static func from(status: Int, body: String) -> S3Error {
        if let code = S3XML.first("Code", in: body) {
            return S3Error(status: status, code: code, message: S3XML.first("Message", in: body) ?? "")
        }
        let code = switch status {
        case 301: "PermanentRedirect"
        case 403: "Forbidden"
        case 404: "NotFound"
        default: "HTTP\(status)"
        }
        return S3Error(status: status, code: code, message: String(body.prefix(200)))
    }
}
