import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var workspace: WorkspaceHandler { WorkspaceHandler(workspace: useCases.workspace) }

    func execSandbox(_ input: Operations.ExecSandbox.Input) async throws -> Operations.ExecSandbox.Output { try await workspace.execSandbox(input, caller: try caller) }
    func listSandboxExecs(_ input: Operations.ListSandboxExecs.Input) async throws -> Operations.ListSandboxExecs.Output { try await workspace.listSandboxExecs(input, caller: try caller) }
    func getSandboxOutput(_ input: Operations.GetSandboxOutput.Input) async throws -> Operations.GetSandboxOutput.Output { try await workspace.getSandboxOutput(input, caller: try caller) }
    func listSandboxFiles(_ input: Operations.ListSandboxFiles.Input) async throws -> Operations.ListSandboxFiles.Output { try await workspace.listSandboxFiles(input, caller: try caller) }
    func statSandboxFile(_ input: Operations.StatSandboxFile.Input) async throws -> Operations.StatSandboxFile.Output { try await workspace.statSandboxFile(input, caller: try caller) }
    func deleteSandboxFile(_ input: Operations.DeleteSandboxFile.Input) async throws -> Operations.DeleteSandboxFile.Output { try await workspace.deleteSandboxFile(input, caller: try caller) }
    func makeSandboxDirectory(_ input: Operations.MakeSandboxDirectory.Input) async throws -> Operations.MakeSandboxDirectory.Output { try await workspace.makeSandboxDirectory(input, caller: try caller) }
    func moveSandboxFile(_ input: Operations.MoveSandboxFile.Input) async throws -> Operations.MoveSandboxFile.Output { try await workspace.moveSandboxFile(input, caller: try caller) }
    func downloadSandboxFile(_ input: Operations.DownloadSandboxFile.Input) async throws -> Operations.DownloadSandboxFile.Output { try await workspace.downloadSandboxFile(input, caller: try caller) }
    func uploadSandboxFile(_ input: Operations.UploadSandboxFile.Input) async throws -> Operations.UploadSandboxFile.Output { try await workspace.uploadSandboxFile(input, caller: try caller) }
    func startSandboxProcess(_ input: Operations.StartSandboxProcess.Input) async throws -> Operations.StartSandboxProcess.Output { try await workspace.startSandboxProcess(input, caller: try caller) }
    func listSandboxProcesses(_ input: Operations.ListSandboxProcesses.Input) async throws -> Operations.ListSandboxProcesses.Output { try await workspace.listSandboxProcesses(input, caller: try caller) }
    func getSandboxProcess(_ input: Operations.GetSandboxProcess.Input) async throws -> Operations.GetSandboxProcess.Output { try await workspace.getSandboxProcess(input, caller: try caller) }
    func signalSandboxProcess(_ input: Operations.SignalSandboxProcess.Input) async throws -> Operations.SignalSandboxProcess.Output { try await workspace.signalSandboxProcess(input, caller: try caller) }
}
