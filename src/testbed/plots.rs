//! The testbed's SVG plots (plotters): `load.svg` (each node's application CPU load and its
//! calibrated level over the run, unavailable minutes shaded), `timetables.svg` (the time
//! tables as strips) and `availability.svg` (minute by minute availability of the service
//! name in both phases).

use super::orchestrate::{Layout, TestbedConfig};
use super::report::{probe_minutes, Summary};
use crate::table::frame::{Frame, ReadOptions, Select};
use anyhow::Result;
use plotters::prelude::*;

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing a plot: {e:?}")
}

const RED: RGBColor = RGBColor(220, 60, 60);
const GREEN_OK: RGBColor = RGBColor(90, 180, 90);
const SHADE: RGBColor = RGBColor(250, 200, 200);

/// Writes the three plots into the output folder.
pub fn write_plots(
    cfg: &TestbedConfig,
    lay: &Layout,
    servers: &[String],
    s: &Summary,
) -> Result<()> {
    use crate::table::atomic::write_string_atomic;
    write_string_atomic(&lay.out.join("load.svg"), &load_svg(cfg, lay, servers)?)?;
    write_string_atomic(&lay.out.join("timetables.svg"), &timetables_svg(s)?)?;
    write_string_atomic(
        &lay.out.join("availability.svg"),
        &availability_svg(cfg, lay, s)?,
    )?;
    Ok(())
}

fn load_svg(cfg: &TestbedConfig, lay: &Layout, servers: &[String]) -> Result<String> {
    let origin = super::clock::default_origin();
    let total = ((cfg.learn + cfg.run) * 60) as f64;
    let mut svg = String::new();
    {
        let h = 220 * servers.len() as u32 + 40;
        let root = SVGBackend::with_string(&mut svg, (1000, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let panels = root.split_evenly((servers.len(), 1));
        for (k, (server, area)) in servers.iter().zip(panels.iter()).enumerate() {
            let edge = lay.data.join(format!("eden{}_measure.csv", k + 1));
            let frame = Frame::read(
                &edge,
                ReadOptions {
                    select: Select::Only(&[crate::table::edge::APP_CPU_LOAD]),
                    require_ordered: false,
                },
            )
            .ok();
            let pts: Vec<(f64, f64)> = frame
                .as_ref()
                .map(|f| {
                    f.times
                        .iter()
                        .zip(&f.columns[0].values)
                        .filter(|(_, v)| v.is_finite())
                        .map(|(t, v)| ((t - origin) as f64 / 60e6, *v))
                        .collect()
                })
                .unwrap_or_default();
            let level = crate::table::limits::read_limits(
                &lay.data
                    .join(format!("eden{}_measure.limits.cleared.csv", k + 1)),
            )
            .ok()
            .and_then(|ls| {
                ls.into_iter()
                    .find(|l| l.name == crate::table::edge::APP_CPU_LOAD)
                    .map(|l| l.errors_level)
            });
            let ymax = pts.iter().map(|p| p.1).chain(level).fold(1.0f64, f64::max) * 1.1;
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!("{server}: App. CPU Load % (probe-unavailable minutes shaded)"),
                    ("sans-serif", 15),
                )
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(45)
                .build_cartesian_2d(0.0..total, 0.0..ymax)
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc("virtual minute")
                .disable_y_mesh()
                .draw()
                .map_err(err)?;
            let bad = probe_minutes(&lay.data.join(format!("{server}.csv")), origin);
            chart
                .draw_series(bad.iter().filter(|(_, v)| v.1).map(|(m, _)| {
                    Rectangle::new([(*m as f64, 0.0), (*m as f64 + 1.0, ymax)], SHADE.filled())
                }))
                .map_err(err)?;
            let learn = (cfg.learn * 60) as f64;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(learn, 0.0), (learn, ymax)],
                    BLACK.stroke_width(1),
                )))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(pts, BLUE.stroke_width(1)))
                .map_err(err)?
                .label("App. CPU Load %")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE));
            if let Some(l) = level {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(0.0, l), (total, l)],
                        RED.stroke_width(2),
                    )))
                    .map_err(err)?
                    .label("errors_level (calibrated)")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Rows of coloured cells: (label, flags per cell) where true is drawn `on`.
fn strips(
    title: &str,
    rows: &[(String, Vec<Option<bool>>)],
    on: RGBColor,
    off: RGBColor,
) -> Result<String> {
    let mut svg = String::new();
    {
        let cells = rows.iter().map(|r| r.1.len()).max().unwrap_or(60).max(1);
        let h = 60 + 34 * rows.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (1000, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(24)
            .y_label_area_size(190)
            .build_cartesian_2d(0.0..cells as f64, 0.0..rows.len() as f64)
            .map_err(err)?;
        let n = rows.len();
        chart
            .configure_mesh()
            .disable_mesh()
            .y_labels(0)
            .draw()
            .map_err(err)?;
        for (i, (label, _)) in rows.iter().enumerate() {
            let (_, py) = chart.backend_coord(&(0.0, (n - 1 - i) as f64 + 0.5));
            root.draw(&Text::new(
                label.clone(),
                (10, py - 7),
                ("sans-serif", 13).into_font(),
            ))
            .map_err(err)?;
        }
        for (i, (_, flags)) in rows.iter().enumerate() {
            let y0 = (n - 1 - i) as f64 + 0.1;
            chart
                .draw_series(flags.iter().enumerate().filter_map(|(j, f)| {
                    f.map(|b| {
                        Rectangle::new(
                            [(j as f64, y0), (j as f64 + 0.92, y0 + 0.8)],
                            if b { on } else { off }.filled(),
                        )
                    })
                }))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

fn timetables_svg(s: &Summary) -> Result<String> {
    let rows: Vec<(String, Vec<Option<bool>>)> = s
        .time_tables
        .iter()
        .map(|(k, busy)| {
            let mut v = vec![Some(false); 60];
            for &b in busy {
                if b < 60 {
                    v[b] = Some(true);
                }
            }
            (k.clone(), v)
        })
        .collect();
    strips(
        "Time tables: busy minutes of the hour (red)",
        &rows,
        RED,
        RGBColor(220, 230, 240),
    )
}

fn availability_svg(cfg: &TestbedConfig, lay: &Layout, s: &Summary) -> Result<String> {
    let origin = super::clock::default_origin();
    let mut rows = Vec::new();
    for (name, path, first, periods, p) in [
        ("baseline", &lay.baseline_probe, 0, cfg.learn, &s.baseline),
        (
            "proactive",
            &lay.service_probe,
            cfg.learn * 60,
            cfg.run,
            &s.proactive,
        ),
    ] {
        let mins = probe_minutes(path, origin);
        for h in 0..periods {
            let v: Vec<Option<bool>> = (0..60)
                .map(|m| mins.get(&(first + h * 60 + m)).map(|x| !x.1))
                .collect();
            rows.push((
                format!("{name} h{} ({:.1} %)", h + 1, p.availability * 100.0),
                v,
            ));
        }
    }
    strips(
        "Service name availability per minute (green: available, red: not)",
        &rows,
        GREEN_OK,
        RED,
    )
}
