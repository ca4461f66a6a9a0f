//! The map (Leaflet through leaflet-rs; Leaflet's own files are copied into the build from its
//! npm package, ui/package.json). It shows only what the core returned: the cameras of
//! `map_cameras` (restricted ones only for users granted them, 8.8) and the positions of an
//! analysis's reads. With no tile server set the background is plain and nothing is fetched;
//! with one, tiles come through the shell (`anpr-image://localhost/tile/...`), never from the
//! network directly.

use crate::api;
use crate::app::use_app;
use crate::components::field::{TextField, current_value};
use crate::components::outcome::{Outcome, OutcomeMessage, act};
use anpr_types::MapCamera;
use leaflet::{
    CircleMarker, CircleOptions, LatLng, LatLngBounds, LayerGroup, Map, MapOptions, Polyline, PolylineOptions,
    TileLayer, TooltipOptions,
};
use leptos::ev::SubmitEvent;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// A position: (latitude, longitude).
pub type Position = (f64, f64);

/// A point an analysis draws attention to.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    pub at: Position,
    /// Shown when the pointer is over it (plain text).
    pub label: String,
}

/// What an analysis puts on the map over the cameras.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapContent {
    /// Lines through reads' positions in time order: a journey's path, a cloned pair's jump.
    pub paths: Vec<Vec<Position>>,
    pub highlights: Vec<Highlight>,
}

impl MapContent {
    /// Every position shown, to fit the view to.
    fn positions(&self) -> impl Iterator<Item = Position> + '_ {
        self.paths.iter().flatten().copied().chain(self.highlights.iter().map(|h| h.at))
    }
}

/// Text as a DOM node: Leaflet inserts a string tooltip as HTML, and camera names come from
/// imported bundles.
fn text_node(text: &str) -> JsValue {
    let document = web_sys::window().and_then(|w| w.document());
    match document.and_then(|d| d.create_element("span").ok()) {
        Some(span) => {
            span.set_text_content(Some(text));
            span.into()
        }
        None => JsValue::from_str(""),
    }
}

fn tooltip(permanent: bool) -> TooltipOptions {
    let options = TooltipOptions::new();
    options.set_permanent(permanent);
    options.set_direction("right".into());
    options
}

/// Leaflet's `bindTooltip(content, options)`: leaflet-rs binds it as `bindTooltipWithContent`,
/// which Leaflet does not have.
fn bind_tooltip(marker: &CircleMarker, content: &JsValue, options: &TooltipOptions) {
    let marker: &JsValue = marker.as_ref();
    if let Ok(bind) = js_sys::Reflect::get(marker, &"bindTooltip".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = bind.call2(marker, content, options.as_ref());
    }
}

fn circle(at: Position, radius: f64, class: &str, colour: &str) -> CircleMarker {
    let options = CircleOptions::new();
    options.set_radius(radius);
    options.set_class_name(class.into());
    options.set_color(colour.into());
    options.set_fill_color(colour.into());
    options.set_fill_opacity(0.8);
    options.set_weight(2.0);
    CircleMarker::new_with_options(&LatLng::new(at.0, at.1), &options)
}

/// The Leaflet objects of a mounted map.
struct Drawn {
    map: Map,
    /// Whether it has the tile layer.
    tiles: bool,
    cameras: LayerGroup,
    results: LayerGroup,
}

impl Drawn {
    fn draw(&self, cameras: &[MapCamera], content: &MapContent) {
        self.cameras.clear_layers();
        self.results.clear_layers();
        for c in cameras {
            let marker = circle((c.latitude, c.longitude), 6.0, "map-camera", "#1d4e89");
            bind_tooltip(&marker, &text_node(&c.name), &tooltip(true));
            marker.add_to_layer_group(&self.cameras);
        }
        for path in &content.paths {
            let line: js_sys::Array = path.iter().map(|(lat, lng)| JsValue::from(LatLng::new(*lat, *lng))).collect();
            let options = PolylineOptions::new();
            options.set_class_name("map-path".into());
            options.set_color("#c0392b".into());
            options.set_weight(4.0);
            Polyline::new_with_options(&line, &options).add_to_layer_group(&self.results);
        }
        for h in &content.highlights {
            let marker = circle(h.at, 9.0, "map-highlight", "#e67e22");
            bind_tooltip(&marker, &text_node(&h.label), &tooltip(false));
            marker.add_to_layer_group(&self.results);
        }
        // Fit the results, else the cameras.
        let mut positions: Vec<Position> = content.positions().collect();
        if positions.is_empty() {
            positions = cameras.iter().map(|c| (c.latitude, c.longitude)).collect();
        }
        if let Some(first) = positions.first() {
            let bounds = LatLngBounds::new(&LatLng::new(first.0, first.1), &LatLng::new(first.0, first.1));
            for (lat, lng) in &positions {
                bounds.extend(&LatLng::new(*lat, *lng));
            }
            let padding = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&padding, &"padding".into(), &js_sys::Array::of2(&30.into(), &30.into()));
            let _ = js_sys::Reflect::set(&padding, &"maxZoom".into(), &15.into());
            self.map.fit_bounds_with_options(&bounds, &padding);
        }
    }
}

/// A Leaflet map of `cameras` and `content`; `tiles` says whether the force tile server is set.
/// The element carries `data-background="plain"` or `"tiles"`.
#[component]
pub fn AnalysisMap(
    id: &'static str,
    #[prop(into)] cameras: Signal<Vec<MapCamera>>,
    #[prop(into)] content: Signal<MapContent>,
    #[prop(into)] tiles: Signal<bool>,
) -> impl IntoView {
    let element = NodeRef::<Div>::new();
    let drawn = StoredValue::new_local(None::<Drawn>);
    // One effect makes the map (again, should the background change) and draws on it, so the
    // drawing never runs on a map about to be replaced.
    Effect::new(move |_| {
        let Some(el) = element.get() else { return };
        let (with_tiles, cameras, content) = (tiles.get(), cameras.get(), content.get());
        drawn.update_value(|d| {
            if d.as_ref().is_none_or(|d| d.tiles != with_tiles) {
                if let Some(old) = d.take() {
                    old.map.remove();
                }
                let options = MapOptions::new();
                options.set_attribution_control(false);
                let Ok(map) = Map::new_with_element(el.unchecked_ref(), &options) else { return };
                // Great Britain, until there is something to fit the view to.
                map.set_view(&LatLng::new(54.0, -2.5), 6.0);
                if with_tiles {
                    TileLayer::new(&api::tile_url_template()).add_to(&map);
                }
                let (cameras, results) = (LayerGroup::new(), LayerGroup::new());
                cameras.add_to(&map);
                results.add_to(&map);
                *d = Some(Drawn { map, tiles: with_tiles, cameras, results });
            }
            if let Some(d) = d {
                d.draw(&cameras, &content);
            }
        });
    });
    on_cleanup(move || {
        drawn.update_value(|d| {
            if let Some(old) = d.take() {
                old.map.remove();
            }
        });
    });
    view! {
        <div
            id=id
            class="map"
            node_ref=element
            data-background=move || if tiles.get() { "tiles" } else { "plain" }
            role="region"
            aria-label="Map"
        ></div>
    }
}

/// The map's background, for administrators: the force tile server's URL template, or blank
/// for the plain background. The shell fetches the tiles; the page never reaches the server.
#[component]
pub fn TileServerForm() -> impl IntoView {
    let app = use_app();
    let template = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Outcome>);
    act(app, outcome, api::map_settings(), move |settings| {
        template.set(settings.tile_url.unwrap_or_default());
        None
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = current_value("tile-server-url", template);
        act(app, outcome, async move { api::set_tile_server(Some(&typed)).await }, move |settings| {
            Some(match settings.tile_url {
                Some(url) => format!("Map tiles now come from {url}"),
                None => "The map has a plain background (no tile server)".to_owned(),
            })
        });
    };
    view! {
        <form id="tile-server-form" class="panel form" on:submit=submit aria-labelledby="tile-server-title">
            <h2 id="tile-server-title">"Map background"</h2>
            <p class="muted">
                "Blank: a plain background with the cameras, no network. A force tile server: its URL template, "
                "e.g. https://tiles.force.example/{z}/{x}/{y}.png; the workstation fetches the tiles (PNG or JPEG, "
                "up to 1 MiB each), the map's page never contacts the server."
            </p>
            <TextField id="tile-server-url" label="Tile server URL template" value=template />
            <OutcomeMessage outcome=outcome id="tile-server-message" />
            <div class="form-actions">
                <button id="tile-server-save" type="submit" class="btn btn-primary">
                    "Save"
                </button>
            </div>
        </form>
    }
}
