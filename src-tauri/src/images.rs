//! The `anpr-image` URI scheme: the only way images reach the page. Each request asks the core
//! whether the logged-in user may see the image (`Session::image`, restricted cameras 8.8), so
//! the page never learns a file path and the data directory is never served as assets.
//!
//! `anpr-image://localhost/<sha256>` is the original, `...?thumbnail` the derived thumbnail of
//! an overview image (`http://anpr-image.localhost/...` on Windows), and
//! `.../preview/<token>/<bundle|schedule>/<page>` a page of the package preview the logged-in
//! user made (`preview_package`), answered only to that user, `.../video/<evaluation>/<frame>`
//! a frame (JPEG) of the evaluation video that user opened (`open_evaluation_video`),
//! `.../chart/<evaluation>/<rates|confusions>` a chart of the evaluation's scoring, and
//! `.../tile/<z>/<x>/<y>` a map tile from the force tile server (`tiles.rs`).

use crate::state::{AppState, PreviewDocument};
use anpr_core::evaluation::charts::ChartKind;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

pub const SCHEME: &str = "anpr-image";

/// What a request asks for, once its path is checked.
#[derive(Debug, PartialEq, Eq)]
struct ImageRequest {
    sha256: String,
    thumbnail: bool,
}

#[derive(Debug, PartialEq, Eq)]
struct PageRequest {
    token: String,
    document: PreviewDocument,
    page: usize,
}

/// `/video/<evaluation>/<frame>`, both whole numbers; anything else is unknown.
fn parse_frame(path: &str) -> Option<(i64, usize)> {
    let mut parts = path.strip_prefix("/video/")?.split('/');
    let (evaluation, frame) = (parts.next()?, parts.next()?);
    if parts.next().is_some()
        || !evaluation.bytes().all(|b| b.is_ascii_digit())
        || !frame.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some((evaluation.parse().ok()?, frame.parse().ok()?))
}

/// `/preview/<digits>/<bundle|schedule>/<page>`; anything else is unknown.
fn parse_page(path: &str) -> Option<PageRequest> {
    let mut parts = path.strip_prefix("/preview/")?.split('/');
    let (token, document, page) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let document = match document {
        "bundle" => PreviewDocument::Bundle,
        "schedule" => PreviewDocument::Schedule,
        _ => return None,
    };
    Some(PageRequest { token: token.to_owned(), document, page: page.parse().ok()? })
}

/// `/chart/<evaluation>/<rates|confusions>`: a chart of the evaluation's scoring.
fn parse_chart(path: &str) -> Option<(i64, ChartKind)> {
    let mut parts = path.strip_prefix("/chart/")?.split('/');
    let evaluation = parts.next()?.parse::<i64>().ok().filter(|id| *id > 0)?;
    let kind = ChartKind::parse(parts.next()?)?;
    parts.next().is_none().then_some((evaluation, kind))
}

/// Accepts `/<64 hex digits>` with an optional `thumbnail` query; anything else is unknown.
fn parse(path: &str, query: Option<&str>) -> Option<ImageRequest> {
    let sha = path.strip_prefix('/')?;
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let thumbnail = query.is_some_and(|q| q.split('&').any(|p| p == "thumbnail"));
    Some(ImageRequest { sha256: sha.to_ascii_lowercase(), thumbnail })
}

pub fn handle<R: Runtime>(ctx: UriSchemeContext<'_, R>, request: Request<Vec<u8>>, responder: UriSchemeResponder) {
    let app = ctx.app_handle().clone();
    if let Some(tile) = crate::tiles::parse(request.uri().path()) {
        tauri::async_runtime::spawn(async move {
            let session = app.state::<AppState>().current();
            responder.respond(crate::tiles::answer(session, tile).await);
        });
        return;
    }
    if let Some(page) = parse_page(request.uri().path()) {
        let state = app.state::<AppState>();
        let bytes = state
            .current()
            .and_then(|session| state.preview_page(&session.actor().username, &page.token, page.document, page.page));
        responder.respond(bytes.map_or_else(|| status(StatusCode::NOT_FOUND), |b| ok(b, "image/png")));
        return;
    }
    if let Some((evaluation, kind)) = parse_chart(request.uri().path()) {
        tauri::async_runtime::spawn(async move {
            let Some(session) = app.state::<AppState>().current() else {
                return responder.respond(status(StatusCode::FORBIDDEN));
            };
            responder
                .respond(from_core(session.evaluation_chart(evaluation, kind).await.map(|png| (png, "image/png"))));
        });
        return;
    }
    if let Some((evaluation, frame)) = parse_frame(request.uri().path()) {
        // Decoding takes milliseconds of CPU: off the webview's thread and the async workers.
        tauri::async_runtime::spawn_blocking(move || {
            let state = app.state::<AppState>();
            let bytes =
                state.current().and_then(|session| state.video_frame(&session.actor().username, evaluation, frame));
            responder.respond(bytes.map_or_else(|| status(StatusCode::NOT_FOUND), |b| ok(b, "image/jpeg")));
        });
        return;
    }
    let wanted = parse(request.uri().path(), request.uri().query());
    // The core call is async and reads a file: answer from a task, not the webview's thread.
    tauri::async_runtime::spawn(async move {
        let session = app.state::<AppState>().current();
        responder.respond(answer(session, wanted).await);
    });
}

async fn answer(session: Option<anpr_core::Session>, wanted: Option<ImageRequest>) -> Response<Vec<u8>> {
    let Some(wanted) = wanted else { return status(StatusCode::NOT_FOUND) };
    let Some(session) = session else { return status(StatusCode::FORBIDDEN) };
    from_core(session.image(&wanted.sha256, wanted.thumbnail).await)
}

/// A core answer as a response: refused 403, unknown 404, any other failure 500.
fn from_core<M: AsRef<str>>(answer: anpr_core::Result<(Vec<u8>, M)>) -> Response<Vec<u8>> {
    match answer {
        Ok((bytes, mime)) => ok(bytes, mime.as_ref()),
        Err(anpr_core::Error::Refused(_)) => status(StatusCode::FORBIDDEN),
        Err(anpr_core::Error::NotFound(_)) => status(StatusCode::NOT_FOUND),
        Err(_) => status(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

pub(crate) fn ok(bytes: Vec<u8>, mime: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, mime)
        // Evidence images are checked per user: a cache would outlive logout and show an
        // image to the next user without asking the core.
        .header(header::CACHE_CONTROL, "no-store")
        .body(bytes)
        .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR))
}

/// A bodiless answer: a refused or unknown image discloses nothing.
pub(crate) fn status(code: StatusCode) -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = code;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF";

    #[test]
    fn parses_an_original_and_a_thumbnail() {
        let original = parse(&format!("/{SHA}"), None).unwrap();
        assert_eq!(original.sha256, SHA.to_ascii_lowercase());
        assert!(!original.thumbnail);
        assert!(parse(&format!("/{SHA}"), Some("thumbnail")).unwrap().thumbnail);
    }

    #[test]
    fn refuses_paths_that_are_not_a_hash() {
        assert_eq!(parse("/../anpr.db", None), None);
        assert_eq!(parse(&format!("/{SHA}/x"), None), None);
        assert_eq!(parse(SHA, None), None);
        assert_eq!(parse("/", None), None);
    }

    #[test]
    fn parses_preview_pages_and_nothing_else() {
        let page = parse_page("/preview/12/bundle/3").unwrap();
        assert_eq!(page, PageRequest { token: "12".into(), document: PreviewDocument::Bundle, page: 3 });
        assert_eq!(parse_page("/preview/12/schedule/1").unwrap().document, PreviewDocument::Schedule);
        for bad in ["/preview/12/bundle", "/preview/12/other/1", "/preview/x/bundle/1", "/preview/12/bundle/1/x"] {
            assert_eq!(parse_page(bad), None, "{bad}");
        }
        assert_eq!(parse_page("/preview//bundle/1"), None);
        assert_eq!(parse_page("/preview/1/bundle/-1"), None);
    }

    #[test]
    fn parses_charts_and_nothing_else() {
        assert_eq!(parse_chart("/chart/3/rates"), Some((3, ChartKind::Rates)));
        assert_eq!(parse_chart("/chart/3/confusions"), Some((3, ChartKind::Confusions)));
        for bad in ["/chart/3", "/chart/x/rates", "/chart/0/rates", "/chart/3/pie", "/chart/3/rates/1"] {
            assert_eq!(parse_chart(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_video_frames_and_nothing_else() {
        assert_eq!(parse_frame("/video/3/120"), Some((3, 120)));
        for bad in ["/video/3", "/video/3/x", "/video/-1/2", "/video/3/2/1", "/video//2", "/video/3/"] {
            assert_eq!(parse_frame(bad), None, "{bad}");
        }
    }

    #[test]
    fn answers_forbidden_without_a_session_and_not_found_for_a_bad_path() {
        let rt = tauri::async_runtime::block_on(async {
            (answer(None, parse(&format!("/{SHA}"), None)).await, answer(None, None).await)
        });
        assert_eq!(rt.0.status(), StatusCode::FORBIDDEN);
        assert_eq!(rt.1.status(), StatusCode::NOT_FOUND);
    }
}
