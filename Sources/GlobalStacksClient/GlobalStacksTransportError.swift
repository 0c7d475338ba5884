import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import OpenAPIRuntime

/// The server could not be reached, or stopped answering: which server, and what failed (`cannot reach
/// http://127.0.0.1:8099: connection refused`). It never carries the request: the OpenAPI runtime's `ClientError`
/// describes the whole request, passwords and tokens in its body included, so that error is never shown or logged.
public struct GlobalStacksTransportError: Error, Equatable, CustomStringConvertible {
    /// The server's address, without any user name or password in it.
    public let server: String
    public let reason: String

    public var description: String { "cannot reach \(server): \(reason)" }

    /// The transport failure `error` is (a connection refused, a timeout, a closed connection…), or nil.
    public init?(_ error: any Error, serverURL: URL) {
        guard let reason = Self.reason(error) else { return nil }
        var components = URLComponents(url: serverURL, resolvingAgainstBaseURL: false)
        components?.user = nil
        components?.password = nil
        server = components?.string ?? serverURL.host ?? "the server"
        self.reason = reason
    }

    /// What a generated call's failure may show: the server's refusal, the transport's failure, or that the answer
    /// could not be read; never the `ClientError` itself.
    public static func shown(_ error: ClientError, serverURL: URL) -> any Error {
        if let refusal = error.underlyingError as? GlobalStacksClientError { return refusal }
        if error.underlyingError is CancellationError { return error.underlyingError }
        if let failure = GlobalStacksTransportError(error.underlyingError, serverURL: serverURL) { return failure }
        return GlobalStacksClientError(status: 0, message: "The answer to \(error.operationID) could not be read: \(error.causeDescription)")
    }

    private static func reason(_ error: any Error) -> String? {
        switch error {
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return reason(first.error) ?? "\(first.error)" }
            return error.dnsAError != nil || error.dnsAAAAError != nil ? "its host name does not resolve" : "no address to connect to"
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "no connection within the time limit"
            case .deadlineExceeded, .readTimeout: return "no answer within the time limit"
            case .remoteConnectionClosed: return "the connection was closed before the answer"
            default: return "\(error)"
            }
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return "no connection within the time limit"
            case .eof, .ioOnClosedChannel: return "the connection was closed before the answer"
            default: return "\(error)"
            }
        default:
            return nil
        }
    }
}
