"""The split mode's gateway: nginx's configuration, rendered from
docker/gateway/nginx.conf.template with the deployables' addresses filled in."""

import re
import subprocess
from pathlib import Path

from config.topology import API_ROUTES, HOME_APP
from stack.procs import ROOT, debian_tool, installed_tool

TEMPLATE = ROOT / "docker" / "gateway" / "nginx.conf.template"
PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


def nginx_binary() -> str | None:
    return installed_tool("nginx")


def ensure_nginx() -> str:
    """nginx, installed from Debian's packages when missing (as root)."""
    found = debian_tool("nginx", package="nginx")
    if found is None:
        raise SystemExit("the split mode's gateway needs nginx: apt-get install nginx")
    return found


def _upstream_names(app_addresses: dict[str, str]) -> dict[str, str]:
    """Each app's upstream, named after the first app its deployable hosts."""
    first_app_at: dict[str, str] = {}
    for app, address in app_addresses.items():
        first_app_at.setdefault(address, app)
    return {app: first_app_at[address] for app, address in app_addresses.items()}


def _upstreams(app_addresses: dict[str, str]) -> str:
    names = _upstream_names(app_addresses)
    blocks = [
        f"    upstream {names[app]} {{\n"
        f"        server {app_addresses[app]};\n"
        f"        keepalive 16;\n"
        f"    }}"
        for app in dict.fromkeys(names[app] for app in app_addresses)
    ]
    return "\n".join(blocks)


# Where staff upload product images: the API's upload and the admin's product
# pages with their image inline (taking the catalog's CATALOG_IMAGE_UPLOAD_MAX_BODY).
IMAGE_UPLOAD_ROUTES = (
    "^/api/v1/catalog/products/[^/]+/images/$",
    "^/admin/catalog/product/(add|[^/]+/change)/$",
)


def _location(
    path: str,
    upstream: str,
    *,
    exact: bool = False,
    to: str = "",
    regex: bool = False,
    body_limit: str = "",
) -> str:
    match = "= " if exact else "~ " if regex else ""
    limit = f"            client_max_body_size {body_limit};\n" if body_limit else ""
    return (
        f"        location {match}{path} {{\n"
        f"{limit}"
        f"            proxy_pass http://{upstream}{to};\n"
        f"        }}"
    )


def _locations(app_addresses: dict[str, str], *, image_body_limit: str) -> str:
    """Each app's API, admin pages and readiness to its deployable; the rest
    (the admin's login, static files, docs page, health, unknown paths) to the
    home app's, so unknown paths answer exactly as in one process. The image
    upload routes (regular expressions: nginx tries them before the prefixes)
    take `image_body_limit`."""
    names = _upstream_names(app_addresses)
    home = names[HOME_APP]
    routes = [
        _location(route, names["catalog"], regex=True, body_limit=image_body_limit)
        for route in IMAGE_UPLOAD_ROUTES
    ]
    routes += [
        _location(f"/api/v1/{prefix}/", names[app])
        for app in app_addresses
        for prefix in API_ROUTES[app]
    ]
    routes += [_location(f"/admin/{app}/", names[app]) for app in app_addresses]
    routes += [
        _location(f"/readyz/{app}", names[app], exact=True, to="/readyz")
        for app in app_addresses
    ]
    routes.append(_location("/", home))
    return "\n".join(routes)


def render_config(
    *,
    app_addresses: dict[str, str],
    port: int,
    run_dir: Path,
    schema_dir: Path,
    rate: str = "50r/s",
    burst: int = 200,
    body_limit: str = "1m",
    image_body_limit: str = "1m",
) -> str:
    """`app_addresses`: every app's deployable as host:port; `body_limit` for
    every request but the image uploads, which take `image_body_limit`."""
    missing = sorted(set(API_ROUTES) - set(app_addresses))
    if missing:
        raise ValueError(f"no deployable hosts {', '.join(missing)}")
    values = {
        "upstreams": _upstreams(app_addresses),
        "locations": _locations(app_addresses, image_body_limit=image_body_limit),
        "port": str(port),
        "run_dir": str(run_dir),
        "schema_dir": str(schema_dir),
        "rate": rate,
        "burst": str(burst),
        "body_limit": body_limit,
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATE.read_text())


def write_config(*, run_dir: Path, config: str) -> Path:
    """Writes the configuration and has nginx check it (`nginx -t`)."""
    path = run_dir / "nginx.conf"
    path.write_text(config)
    # nginx's workers (`nobody` under root) read the schema and own its temp dirs.
    run_dir.chmod(0o711)
    checked = subprocess.run(
        [*nginx_argv(path), "-t", "-q"], capture_output=True, text=True, timeout=30
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused {path}:\n{checked.stderr}")
    return path


def nginx_argv(config_path: Path) -> list[str]:
    return [nginx_binary() or "nginx", "-e", "stderr", "-c", str(config_path)]
