//! The load model behind `synth`: how a node's figures and its probe respond to a flood.
//!
//! Fitted by eye and by per-minute statistics to the seed's recording (`data/hourly-2d`):
//!
//! * **load level** `x` in 0..1, one value a minute, follows the flood with a first-order
//!   lag: `x = LAG * x_prev + (1 - LAG) * f`, `f` the share of the minute under flood.
//!   With `LAG = 0.3` the first flood minute is at 70 %, the next at 91 %, and after the
//!   flood the load decays to 30 %, 9 %, 3 %... exactly as the recording does.
//! * **device CPU** (`CPU Load %`, a ratio): 0.08 ± 0.03 idle, +0.85 at full load.
//! * **application CPU** (`App. CPU Load %`, percent): 4 ± 2.3 idle (clipped at 0),
//!   +88 at full load, ± 2.4.
//! * **application traffic**: Tx 1.5 kB/s ± 33 % idle, +1.8 MB/s ± 2 % at full load;
//!   Rx 0.9 kB/s idle, +0.9 MB/s at full load. The device counters carry the
//!   application's traffic plus ~3 kB/s (Tx) and ~2.5 kB/s (Rx) of their own.
//! * **probe**: each of the attempts succeeds with probability
//!   `0.995 * (0.07 + 0.93 * (1 - x)^0.75)`: about 5 % of quiet minutes have a single
//!   error, the first flood minute has ~4.7 successes, later flood minutes 0-2. The mean
//!   response time is 5 ms (log-normal) plus 0.40 s at full load.
//!
//! Every minute draws the same number of random values whatever happens, so a restart
//! or a different schedule on one node never shifts the noise of the others.
//! Pure: no I/O.

use rand::Rng;
use rand_distr::StandardNormal;

/// Share of the previous minute's load level that carries over (the lag of the load).
pub const LAG: f64 = 0.3;

/// One minute of a node's figures (rates, not counters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minute {
    /// Device CPU load as CPU-seconds per second.
    pub cpu_load: f64,
    /// Application CPU in percent.
    pub app_cpu_load: f64,
    /// Bytes per second on the device uplink, transmit and receive.
    pub tx_rate: f64,
    pub rx_rate: f64,
    /// Bytes per second on the application's interface.
    pub app_tx_rate: f64,
    pub app_rx_rate: f64,
    /// Successful probe attempts.
    pub successes: u32,
    /// Mean response time of the successful attempts (seconds), `None` when none did.
    pub response: Option<f64>,
}

/// The node's scale (a node serves a bit more or less traffic than another).
#[derive(Debug, Clone, Copy)]
pub struct NodeScale {
    pub traffic: f64,
}

fn normal<R: Rng>(rng: &mut R) -> f64 {
    rng.sample::<f64, _>(StandardNormal)
}

/// The figures of one minute at load level `x`, drawing a fixed number of values from
/// `rng` (`12 + attempts`).
pub fn minute<R: Rng>(rng: &mut R, x: f64, attempts: u32, scale: NodeScale) -> Minute {
    let x = x.clamp(0.0, 1.0);
    let z: [f64; 10] = std::array::from_fn(|_| normal(rng));
    let cpu_load = (0.08 + 0.03 * z[0] + 0.85 * x).max(0.005);
    let app_cpu_load = ((4.0 + 2.3 * z[1]).max(0.0) + 88.0 * x + 2.4 * x * z[2]).clamp(0.0, 100.0);
    let app_cpu_load = (app_cpu_load * 1000.0).round() / 1000.0;
    let t = scale.traffic;
    let app_tx_rate =
        t * (1500.0 * (1.0 + 0.33 * z[3]).max(0.05) + 1.8e6 * x * (1.0 + 0.02 * z[4]));
    let app_rx_rate = t * (900.0 * (1.0 + 0.33 * z[5]).max(0.05) + 0.9e6 * x * (1.0 + 0.02 * z[6]));
    let tx_rate = app_tx_rate + (3000.0 + 700.0 * z[7]).max(100.0);
    let rx_rate = app_rx_rate + (2500.0 + 600.0 * z[8]).max(100.0);
    let p = 0.995 * (0.07 + 0.93 * (1.0 - x).powf(0.75));
    let mut successes = 0;
    for _ in 0..attempts {
        if rng.gen::<f64>() < p {
            successes += 1;
        }
    }
    let u = normal(rng);
    let response = 0.005 * (0.15 * z[9]).exp() + 0.40 * x * (1.0 + 0.03 * u);
    let response = (successes > 0).then_some((response * 1e6).round() / 1e6);
    Minute {
        cpu_load,
        app_cpu_load,
        tx_rate,
        rx_rate,
        app_tx_rate,
        app_rx_rate,
        successes,
        response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn mean_of(x: f64, n: usize) -> (f64, f64, f64) {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let s = NodeScale { traffic: 1.0 };
        let (mut cpu, mut succ, mut tx) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let m = minute(&mut rng, x, 10, s);
            cpu += m.app_cpu_load;
            succ += f64::from(m.successes);
            tx += m.app_tx_rate;
        }
        let n = n as f64;
        (cpu / n, succ / n, tx / n)
    }

    #[test]
    fn quiet_and_flooded_minutes_look_like_the_seed() {
        let (cpu, succ, tx) = mean_of(0.0, 2000);
        assert!((3.5..4.8).contains(&cpu), "{cpu}");
        assert!(succ > 9.8, "{succ}");
        assert!((1300.0..1700.0).contains(&tx), "{tx}");
        let (cpu, succ, tx) = mean_of(1.0, 2000);
        assert!((89.0..95.0).contains(&cpu), "{cpu}");
        assert!(succ < 1.5, "{succ}");
        assert!((1.7e6..1.9e6).contains(&tx), "{tx}");
        // First flood minute (x = 0.7): around 4 to 5 successes.
        let (_, succ, _) = mean_of(0.7, 2000);
        assert!((3.5..5.5).contains(&succ), "{succ}");
    }
}
