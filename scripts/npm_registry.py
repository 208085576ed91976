"""A local npm registry for tests: serves the package tarballs in one folder (their metadata
read from each tarball's package.json), so npm and yarn install our packages exactly as they
would from the public registry, and answers 404 for anything else.

Usage: python3 scripts/npm_registry.py DIR   (prints the URL it listens on, then serves)
"""

import base64
import hashlib
import http.server
import json
import os
import sys
import tarfile
import urllib.parse


def packuments(folder, base):
    docs = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".tgz"):
            continue
        path = os.path.join(folder, name)
        with tarfile.open(path) as tar:
            meta = json.load(tar.extractfile("package/package.json"))
        data = open(path, "rb").read()
        meta["dist"] = {
            "tarball": f"{base}/-/{urllib.parse.quote(name)}",
            "shasum": hashlib.sha1(data).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        }
        doc = docs.setdefault(meta["name"], {"name": meta["name"], "versions": {}, "dist-tags": {}})
        doc["versions"][meta["version"]] = meta
        doc["dist-tags"]["latest"] = meta["version"]
    return docs


def main():
    folder = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    docs = packuments(folder, base)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = urllib.parse.unquote(self.path.split("?")[0])
            if path.startswith("/-/"):
                file = os.path.join(folder, os.path.basename(path))
                body = open(file, "rb").read() if os.path.isfile(file) else None
                kind = "application/octet-stream"
            else:
                doc = docs.get(path.lstrip("/"))
                body = json.dumps(doc).encode() if doc else None
                kind = "application/json"
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server.RequestHandlerClass = Handler
    print(base, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
