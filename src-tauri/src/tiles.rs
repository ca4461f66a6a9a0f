//! Map tiles from the force tile server, fetched here and handed to the page through the
//! `anpr-image` scheme (`anpr-image://localhost/tile/<z>/<x>/<y>`), so the webview's CSP stays
//! closed to the network: the page never reaches any server itself. Only a logged-in user's
//! page gets tiles, only when an administrator set a tile server, and only tiles that are at
//! most `MAX_TILE_BYTES` and decode as PNG or JPEG (`anpr_core::map::check_tile`).

use crate::images::{ok, status};
use anpr_core::map::{MAX_TILE_BYTES, check_tile, tile_address};
use std::sync::OnceLock;
use std::time::Duration;
use tauri::http::{Response, StatusCode};

/// A tile's position on the zoom level's grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    z: u8,
    x: u32,
    y: u32,
}

/// `/tile/<z>/<x>/<y>`; anything else is not a tile.
pub fn parse(path: &str) -> Option<Tile> {
    let mut parts = path.strip_prefix("/tile/")?.split('/');
    let (z, x, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Tile { z: z.parse().ok()?, x: x.parse().ok()?, y: y.parse().ok()? })
}

/// Why a tile could not be served.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// Outside the zoom level's grid.
    NoSuchTile,
    /// The server could not be reached or did not answer 200.
    Unavailable(String),
    /// Too large, or not a decodable PNG or JPEG.
    Rejected(String),
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // The configured server answers, not wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

/// Fetches `tile` from the server of `template` and checks it.
pub async fn fetch(template: &str, tile: Tile) -> Result<(Vec<u8>, &'static str), Failure> {
    let url = tile_address(template, tile.z, tile.x, tile.y).ok_or(Failure::NoSuchTile)?;
    let unavailable = |e: reqwest::Error| Failure::Unavailable(e.without_url().to_string());
    let mut response = client().get(url).send().await.map_err(unavailable)?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(Failure::Unavailable(format!("the tile server answered {}", response.status())));
    }
    let too_large = || Failure::Rejected(format!("larger than {MAX_TILE_BYTES} bytes"));
    if response.content_length().is_some_and(|n| n > MAX_TILE_BYTES as u64) {
        return Err(too_large());
    }
    // Read in chunks so a server that lies about (or omits) the length cannot fill memory.
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
        if body.len() + chunk.len() > MAX_TILE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let mime = check_tile(&body).map_err(|e| Failure::Rejected(e.to_string()))?;
    Ok((body, mime))
}

/// The answer to a tile request from the page.
pub async fn answer(session: Option<anpr_core::Session>, tile: Tile) -> Response<Vec<u8>> {
    let Some(session) = session else { return status(StatusCode::FORBIDDEN) };
    let Ok(settings) = session.map_settings().await else { return status(StatusCode::INTERNAL_SERVER_ERROR) };
    let Some(template) = settings.tile_url else { return status(StatusCode::NOT_FOUND) };
    match fetch(&template, tile).await {
        Ok((bytes, mime)) => ok(bytes, mime),
        Err(Failure::NoSuchTile) => status(StatusCode::NOT_FOUND),
        Err(e) => {
            eprintln!("map tile {}/{}/{} not shown: {e:?}", tile.z, tile.x, tile.y);
            status(StatusCode::BAD_GATEWAY)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    #[test]
    fn parses_tile_paths_and_nothing_else() {
        assert_eq!(parse("/tile/3/7/2"), Some(Tile { z: 3, x: 7, y: 2 }));
        for bad in ["/tile/3/7", "/tile/3/7/2/1", "/tile/a/7/2", "/tile/-1/0/0", "/tiles/1/0/0", "/tile/300/0/0"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    /// A 256 px PNG, as a tile server sends.
    fn png_tile() -> Vec<u8> {
        let img = image::RgbImage::from_fn(256, 256, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// A real HTTP server on a local port, answering by path: a PNG tile, a tile over the size
    /// limit (with and without a Content-Length), bytes that are not an image, a truncated PNG
    /// and a 404. Returns its URL template.
    fn tile_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let png = png_tile();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut line = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                reader.read_line(&mut line).unwrap();
                // Skip the headers up to the blank line.
                let mut header = String::new();
                while reader.read_line(&mut header).unwrap() > 2 {
                    header.clear();
                }
                let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                let big = vec![0u8; MAX_TILE_BYTES + 1];
                let (status, body, length): (&str, &[u8], bool) = match path.as_str() {
                    "/1/0/0.png" => ("200 OK", &png, true),
                    "/1/1/0.png" => ("200 OK", &big, true),
                    "/1/0/1.png" => ("200 OK", &big, false),
                    "/1/1/1.png" => ("200 OK", b"<html>not a tile</html>", true),
                    "/2/0/0.png" => ("200 OK", &png[..png.len() / 2], true),
                    _ => ("404 Not Found", b"", true),
                };
                let mut head = format!("HTTP/1.1 {status}\r\nContent-Type: image/png\r\nConnection: close\r\n");
                if length {
                    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
            }
        });
        format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
    }

    #[tokio::test]
    async fn serves_only_decodable_tiles_within_the_size_limit() {
        let template = tile_server();
        let tile = |z, x, y| Tile { z, x, y };
        let (bytes, mime) = fetch(&template, tile(1, 0, 0)).await.unwrap();
        assert_eq!((bytes, mime), (png_tile(), "image/png"));
        for (t, why) in [
            (tile(1, 1, 0), "over the limit, declared"),
            (tile(1, 0, 1), "over the limit, undeclared"),
            (tile(1, 1, 1), "not an image"),
            (tile(2, 0, 0), "a truncated PNG"),
        ] {
            assert!(matches!(fetch(&template, t).await, Err(Failure::Rejected(_))), "{why}");
        }
        assert!(matches!(fetch(&template, tile(2, 1, 1)).await, Err(Failure::Unavailable(_))), "a 404");
        assert_eq!(fetch(&template, tile(1, 2, 0)).await, Err(Failure::NoSuchTile), "off the grid");
        let closed = "http://127.0.0.1:9/{z}/{x}/{y}.png";
        assert!(matches!(fetch(closed, tile(0, 0, 0)).await, Err(Failure::Unavailable(_))), "no server");
    }
}
