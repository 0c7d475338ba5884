import Crypto
import Foundation

/// AWS Signature Version 4 for S3 (docs.aws.amazon.com, "Signature Version 4 signing process"): the payload's SHA-256,
/// the canonical request, the string to sign and the HMAC chain from the secret to the day's signing key.
struct S3Signer: Sendable {
    let credentials: S3Credentials
    let region: String
    static let service = "s3"

    /// The headers to send with a request: `host`, `x-amz-date`, `x-amz-content-sha256` and `authorization`.
    /// `path` is already percent-encoded (see `S3Path`); `query` holds the decoded names and values.
    func headers(method: String, host: String, path: String, query: [(String, String)], payload: Data, at date: Date) -> [(String, String)] {
        let (amzDate, day) = Self.timestamps(date)
        let payloadHash = Self.hex(SHA256.hash(data: payload))
        let signed: [(String, String)] = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", amzDate)]
        let signedNames = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            method,
            path,
            Self.canonicalQuery(query),
            signed.map { "\($0.0):\($0.1)\n" }.joined(),
            signedNames,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(Self.service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, Self.service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
        return signed + [("authorization", authorization)]
    }

    /// Names and values URI-encoded (a `/` included), sorted by name then value, joined with `&`.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (S3Path.encode($0.0, keepSlash: false), S3Path.encode($0.1, keepSlash: false)) }
        let sorted = encoded.sorted { (left, right) -> Bool in left.name == right.name ? left.value < right.value : left.name < right.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// `20260102T030405Z` and `20260102`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        let day = String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!)
        return (day + String(format: "T%02d%02d%02dZ", parts.hour!, parts.minute!, parts.second!), day)
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Path-style request paths, `/<bucket>/<key>`, encoded the way SigV4 signs them for S3: every byte of the UTF-8 key
/// except the unreserved `A–Z a–z 0–9 - _ . ~` (and the `/` between segments) as `%XY`, once. A client that lets a
/// URL library encode the path signs something else for keys with spaces, `+` or non-ASCII characters.
enum S3Path {
    static func object(_ bucket: String, _ key: String) -> String {
        "/" + encode(bucket, keepSlash: false) + "/" + encode(key, keepSlash: true)
    }

    static func bucket(_ bucket: String) -> String {
        "/" + encode(bucket, keepSlash: false)
    }

    static func encode(_ text: String, keepSlash: Bool) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                encoded.append("/")
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
