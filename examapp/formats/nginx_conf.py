"""The nginx configuration for examapp (docs/deploy.md), rendered with the paths of this installation, so
the static folders are always the ones of the installed package. `deploy/nginx/examapp.conf` is its output
for the example values (a test keeps the two equal)."""
from dataclasses import dataclass, field

EXAMPLE_NAME = "exam.example.gov.cn"


@dataclass
class NginxSite:
    server_name: str
    static_dir: str
    bootstrap_dir: str
    upstreams: list[str] = field(default_factory=lambda: ["127.0.0.1:8000"])
    certificate: str | None = "/etc/ssl/examapp/fullchain.pem"
    certificate_key: str | None = "/etc/ssl/examapp/privkey.pem"
    listen: int | None = None          # default 443 with TLS, 80 without
    upload_mb: int = 210               # lesson videos (EXAMAPP_STUDY_VIDEO_MAX_MB, 200) plus the form


def _locations(site: NginxSite) -> str:
    return f"""
    # Static files straight from the installed package; everything else goes to gunicorn.
    location /static/ {{
        alias {site.static_dir}/;
        expires 7d;
        add_header Cache-Control "public";
        add_header X-Content-Type-Options nosniff;
        access_log off;
    }}

    location /bootstrap/static/ {{
        alias {site.bootstrap_dir}/;
        expires 30d;
        add_header Cache-Control "public";
        add_header X-Content-Type-Options nosniff;
        access_log off;
    }}

    location / {{
        proxy_pass http://examapp;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;
        proxy_read_timeout 180s;
        # import progress is streamed line by line (NDJSON): pass it on as it comes
        proxy_buffering off;
    }}
"""


def render(site: NginxSite) -> str:
    """The site's configuration: an upstream and one server block (plus the redirect from http with TLS)."""
    servers = "\n".join(f"    server {u};" for u in site.upstreams)
    out = ["# examapp behind nginx (docs/deploy.md); rendered by `flask --app wsgi deploy nginx`.",
           "upstream examapp {", servers, "    keepalive 32;", "}", ""]
    tls = site.certificate is not None and site.certificate_key is not None
    if tls:
        out += ["server {", "    listen 80;", f"    server_name {site.server_name};",
                "    return 301 https://$host$request_uri;", "}", ""]
        out += ["server {", f"    listen {site.listen or 443} ssl http2;", f"    server_name {site.server_name};",
                f"    ssl_certificate     {site.certificate};", f"    ssl_certificate_key {site.certificate_key};",
                "    ssl_protocols TLSv1.2 TLSv1.3;", "    ssl_session_cache shared:examapp:10m;",
                "    ssl_session_timeout 1d;"]
    else:
        out += ["server {", f"    listen {site.listen or 80};", f"    server_name {site.server_name};"]
    out += [f"    client_max_body_size {site.upload_mb}m;", _locations(site).rstrip("\n"), "}", ""]
    return "\n".join(out)


def standalone(site: NginxSite, prefix: str) -> str:
    """A whole nginx.conf around the site, for running nginx unprivileged under `prefix` (tests, trials)."""
    body = render(site).replace("\n", "\n    ")
    return f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    {body}
}}
"""


__all__ = ["EXAMPLE_NAME", "NginxSite", "render", "standalone"]
