#!/usr/bin/env python3
"""S3 object stores for GlobalStacks (globalstacks.broker.v1, docs/broker.md; README.md beside this file).

Operations on a bucket and prefix of any S3-compatible endpoint: `provision` (the bucket is verified, or created unless
the tenant brought it, and a marker object written and read back), `verify` (the bucket and the marker are there) and
`delete` (the objects under the prefix, and the bucket only when asked). Python's standard library only, with a small
AWS Signature Version 4 signer, so it runs on any agent host with python3. Requests go through the egress proxy in
HTTP_PROXY / HTTPS_PROXY, which urllib honours. The secret is used to sign and never printed.
"""
import datetime
import hashlib
import hmac
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

MARKER = ".globalstacks-object-store"
HOSTED_MODES = ("external", "customer_managed", "globalstacks_managed")


class Failure(Exception):
    """What the operation reports on stdout as {"error": ...} before exiting non-zero."""


class S3Refused(Failure):
    def __init__(self, what, status, code, message):
        super().__init__("%s: S3 answered %d %s%s" % (what, status, code, (": " + message) if message else ""))
        self.status = status
        self.code = code


class S3:
    """Path-style requests (<endpoint>/<bucket>/<key>) signed with AWS Signature Version 4."""

    def __init__(self, endpoint, region, access_key_id, secret_access_key):
        parsed = urllib.parse.urlsplit(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path not in ("", "/"):
            raise Failure("the endpoint setting must be an http(s) origin without a path, e.g. https://s3.example.com")
        self.origin = "%s://%s" % (parsed.scheme, parsed.netloc)
        self.host = parsed.netloc
        self.region = region
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key

    @staticmethod
    def path(bucket, key=None):
        # Every byte but A-Z a-z 0-9 - _ . ~ (and the / between a key's segments) as %XY: SigV4's canonical URI for S3.
        encoded = "/" + urllib.parse.quote(bucket, safe="")
        return encoded if key is None else encoded + "/" + urllib.parse.quote(key, safe="/")

    def sign(self, method, path, query, payload):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        payload_hash = hashlib.sha256(payload).hexdigest()
        headers = [("host", self.host), ("x-amz-content-sha256", payload_hash), ("x-amz-date", amz_date)]
        signed_names = ";".join(name for name, _ in headers)
        canonical_request = "\n".join([
            method, path, query, "".join("%s:%s\n" % header for header in headers), signed_names, payload_hash])
        scope = "%s/%s/s3/aws4_request" % (day, self.region)
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                    hashlib.sha256(canonical_request.encode()).hexdigest()])
        key = ("AWS4" + self.secret_access_key).encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        authorization = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
            self.access_key_id, scope, signed_names, signature)
        return dict(headers[1:], authorization=authorization)

    def request(self, what, method, bucket, key=None, query=None, body=b"", missing_ok=False):
        """Returns the response body; None for a 404 when `missing_ok`; raises S3Refused otherwise."""
        path = self.path(bucket, key)
        canonical_query = "&".join("%s=%s" % (urllib.parse.quote(name, safe=""), urllib.parse.quote(value, safe=""))
                                   for name, value in sorted((query or {}).items()))
        url = self.origin + path + ("?" + canonical_query if canonical_query else "")
        headers = self.sign(method, path, canonical_query, body)
        # urllib would label a body as a form, which some servers then parse instead of storing.
        headers["content-type"] = "application/octet-stream"
        request = urllib.request.Request(url, data=body if method in ("PUT", "POST") else None, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            document = error.read(65536)
            if error.code == 404 and missing_ok:
                return None
            code, message = error_fields(document)
            raise S3Refused(what, error.code, code or error.reason, message) from None
        except urllib.error.URLError as error:
            raise Failure("%s: could not reach %s (%s)" % (what, self.origin, error.reason)) from None

    def bucket_exists(self, bucket):
        # An empty listing rather than HEAD: the same permission, and a refusal comes with S3's error document
        # (SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied) where HEAD has only a status.
        query = {"list-type": "2", "max-keys": "0"}
        return self.request("checking bucket %r" % bucket, "GET", bucket, query=query, missing_ok=True) is not None

    def create_bucket(self, bucket):
        body = b"" if self.region == "us-east-1" else (
            '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>" % self.region).encode()
        self.request("creating bucket %r" % bucket, "PUT", bucket, body=body)

    def keys(self, bucket, prefix):
        """Every key under `prefix`, following ListObjectsV2's pages."""
        found, token = [], None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            root = ElementTree.fromstring(self.request("listing bucket %r" % bucket, "GET", bucket, query=query))
            found += [element.text for element in root.iter() if local(element.tag) == "Key"]
            token = next((element.text for element in root.iter() if local(element.tag) == "NextContinuationToken"), None)
            truncated = next((element.text for element in root.iter() if local(element.tag) == "IsTruncated"), "false")
            if truncated != "true" or not token:
                return found


def local(tag):
    return tag.rsplit("}", 1)[-1]


def error_fields(document):
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        return None, ""
    fields = {local(element.tag): element.text or "" for element in root.iter()}
    return fields.get("Code"), fields.get("Message", "")


def normalized_prefix(given):
    prefix = given.get("prefix", "") or ""
    if not isinstance(prefix, str) or len(prefix) > 512:
        raise Failure("prefix must be a string of at most 512 characters")
    return prefix.strip("/")


def marker_key(prefix):
    return prefix + "/" + MARKER if prefix else MARKER


def provision(s3, given, request):
    bucket, prefix, mode = given["bucket"], normalized_prefix(given), given.get("hostedMode", "external")
    if mode not in HOSTED_MODES:
        raise Failure("hostedMode must be one of %s" % ", ".join(HOSTED_MODES))
    created = False
    if not s3.bucket_exists(bucket):
        if mode == "external":
            raise Failure("bucket %r does not exist at %s; an external store's bucket is brought by the tenant and "
                          "never created" % (bucket, s3.origin))
        s3.create_bucket(bucket)
        created = True
    marker = json.dumps({"globalstacks": "object-store", "bucket": bucket, "prefix": prefix, "hostedMode": mode,
                         "invocationId": request.get("invocationId"), "tenantId": request.get("tenantId")},
                        sort_keys=True).encode()
    key = marker_key(prefix)
    s3.request("writing the marker %r" % key, "PUT", bucket, key, body=marker)
    if s3.request("reading the marker %r back" % key, "GET", bucket, key, missing_ok=True) != marker:
        raise Failure("the marker %r read back from bucket %r is not what was written" % (key, bucket))
    return {"endpoint": s3.origin, "bucket": bucket, "prefix": prefix, "created": created}


def verify(s3, given, _request):
    bucket, prefix = given["bucket"], normalized_prefix(given)
    if not s3.bucket_exists(bucket):
        raise Failure("bucket %r does not exist at %s" % (bucket, s3.origin))
    key = marker_key(prefix)
    if s3.request("reading the marker %r" % key, "GET", bucket, key, missing_ok=True) is None:
        raise Failure("the marker %r is missing from bucket %r; the store was not provisioned here or was removed"
                      % (key, bucket))
    return {"ok": True}


def delete(s3, given, _request):
    bucket, prefix = given["bucket"], normalized_prefix(given)
    if not s3.bucket_exists(bucket):
        return {"deletedObjects": 0, "bucketDeleted": False}
    deleted_bucket = bool(given.get("deleteBucket", False))
    if prefix or deleted_bucket:
        keys = s3.keys(bucket, prefix + "/" if prefix else "")  # the marker among them
    else:
        # A store on a whole bucket that stays: only its marker is its own to remove (other stores may use prefixes).
        keys = [marker_key(prefix)]
    for key in keys:
        s3.request("deleting %r" % key, "DELETE", bucket, key)
    if deleted_bucket:
        s3.request("deleting bucket %r" % bucket, "DELETE", bucket)
    return {"deletedObjects": len(keys), "bucketDeleted": deleted_bucket}


OPERATIONS = {"provision": provision, "verify": verify, "delete": delete}


def main():
    request = json.load(sys.stdin)
    settings = json.loads(os.environ.get("GLOBALSTACKS_SETTINGS", "{}"))
    secrets = json.loads(os.environ.get("GLOBALSTACKS_SECRETS", "{}"))
    operation = request.get("operation")
    diagnostics = ["operation %s on %s" % (operation, settings.get("endpoint"))]
    try:
        if operation not in OPERATIONS:
            raise Failure("unknown operation %r" % operation)
        if not settings.get("endpoint") or not settings.get("accessKeyId") or not secrets.get("secretAccessKey"):
            raise Failure("the install needs the endpoint and accessKeyId settings and the secretAccessKey secret")
        s3 = S3(settings["endpoint"], settings.get("region") or "us-east-1", settings["accessKeyId"],
                secrets["secretAccessKey"])
        outputs = OPERATIONS[operation](s3, request.get("input", {}), request)
    except Failure as failure:
        json.dump({"error": str(failure), "diagnostics": diagnostics}, sys.stdout)
        return 1
    json.dump({"outputs": outputs, "diagnostics": diagnostics}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
