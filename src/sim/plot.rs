//! The simulation's SVG plot: availability against noise (one line per delay), or against
//! delay when a single noise level was simulated. Returns the SVG text; the caller writes it.

use super::run::SimOutcome;
use plotters::prelude::*;

/// A labelled, coloured line.
type Series = (String, Vec<(f64, f64)>, RGBColor);

/// Renders the plot as SVG text.
pub fn availability_svg(out: &SimOutcome) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 440)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let mut noises: Vec<f64> = out.rows.iter().map(|r| r.noise).collect();
        noises.dedup();
        noises.sort_by(f64::total_cmp);
        noises.dedup();
        let mut delays: Vec<usize> = out.rows.iter().map(|r| r.delay).collect();
        delays.sort_unstable();
        delays.dedup();
        let by_noise = noises.len() > 1;
        let xs: Vec<f64> = if by_noise {
            noises.clone()
        } else {
            delays.iter().map(|&d| d as f64).collect()
        };
        let (x0, x1) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let (x0, x1) = if x1 > x0 {
            (x0, x1)
        } else {
            (x0 - 1.0, x0 + 1.0)
        };
        let lo = out
            .rows
            .iter()
            .map(|r| r.baseline.min(r.proactive))
            .fold(1.0f64, f64::min);
        let y0 = ((lo * 100.0 - 5.0) / 5.0).floor() * 5.0;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!(
                    "simulate: {} nodes, {} groups, {} h learned + {} h replayed",
                    out.nodes, out.groups, out.periods, out.periods
                ),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, y0.max(0.0)..100.5)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc(if by_noise {
                "measurement noise (sd / overload step)"
            } else {
                "switching delay (minutes)"
            })
            .y_desc("availability %")
            .draw()
            .map_err(plot_err)?;
        let palette = [BLUE, GREEN, MAGENTA, CYAN, RED, BLACK];
        let series: Vec<Series> = if by_noise {
            delays
                .iter()
                .enumerate()
                .map(|(i, &d)| {
                    let pts = out
                        .rows
                        .iter()
                        .filter(|r| r.delay == d)
                        .map(|r| (r.noise, r.proactive * 100.0))
                        .collect();
                    (
                        format!("proactive, delay {d} min"),
                        pts,
                        palette[i % palette.len()],
                    )
                })
                .collect()
        } else {
            vec![(
                format!(
                    "proactive, noise {}",
                    noises.first().copied().unwrap_or(0.0)
                ),
                out.rows
                    .iter()
                    .map(|r| (r.delay as f64, r.proactive * 100.0))
                    .collect(),
                BLUE,
            )]
        };
        for (label, pts, color) in series {
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(plot_err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
        }
        let mut base: Vec<(f64, f64)> = out
            .rows
            .iter()
            .map(|r| {
                (
                    if by_noise { r.noise } else { r.delay as f64 },
                    r.baseline * 100.0,
                )
            })
            .collect();
        base.sort_by(|a, b| a.0.total_cmp(&b.0));
        base.dedup_by(|a, b| a.0 == b.0);
        chart
            .draw_series(LineSeries::new(
                base,
                RGBColor(150, 150, 150).stroke_width(2),
            ))
            .map_err(plot_err)?
            .label("baseline (no switching)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RGBColor(150, 150, 150)));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerLeft)
            .draw()
            .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the plot: {e:?}")
}
