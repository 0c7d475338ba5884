import GlobalStacksStore
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Liveness, readiness and metrics for orchestrators and Prometheus; no authentication.
struct ServiceEndpoints {
    let store: any StoreMaintenance
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in
            "ok"
        }
        router.get("readyz") { _, context -> Response in
            do {
                try await store.ping()
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready")))
            } catch {
                context.logger.warning("Readiness check failed", metadata: ["error": "\(error)"])
                throw HTTPError(.serviceUnavailable, message: "The database is not reachable.")
            }
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
