import Foundation
import NIOHTTP1

/// One object of a listing.
public struct S3Object: Sendable, Equatable {
    public let key: String
    public let size: Int
    public let eTag: String
}

/// One page of ListObjectsV2; `nextContinuationToken` is set while more follow.
public struct S3ObjectPage: Sendable, Equatable {
    public let objects: [S3Object]
    public let nextContinuationToken: String?
}

extension S3Client {
    /// Every object whose key starts with `prefix`, in key order, following the pages.
    public func listObjects(bucket: String, prefix: String = "") async throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            let page = try await listObjectsPage(bucket: bucket, prefix: prefix, continuationToken: token)
            objects += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return objects
    }

    /// One page of at most `maxKeys` (S3 caps it at 1000).
    public func listObjectsPage(bucket: String, prefix: String = "", continuationToken: String? = nil, maxKeys: Int = 1000) async throws -> S3ObjectPage {
        var query = [("list-type", "2"), ("max-keys", "\(maxKeys)")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let xml = try require(await send(.GET, S3Path.bucket(bucket), query: query)).text
        let objects = S3XML.blocks("Contents", in: xml).map { entry in
            S3Object(
                key: S3XML.first("Key", in: String(entry)) ?? "",
                size: S3XML.first("Size", in: String(entry)).flatMap { Int($0) } ?? 0,
                eTag: S3XML.first("ETag", in: String(entry)) ?? ""
            )
        }
        let truncated = S3XML.first("IsTruncated", in: xml) == "true"
        return S3ObjectPage(objects: objects, nextContinuationToken: truncated ? S3XML.first("NextContinuationToken", in: xml) : nil)
    }
}
