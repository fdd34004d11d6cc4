//! The draw at university scale (a benchmark, not a test): 100,000 eligible
//! applications with 10 choices each over 2,000 slots (1,000 destinations × autumn and
//! spring), a lottery call. Also `inputs_digest` over the same inputs, which closing a
//! call computes, and, as a same-run baseline, the 100,000 ranking keys alone: the
//! draw's time is printed as a ratio to it, which moves less between machines than
//! milliseconds do. Target: the draw within 50 ms on a 2-core machine.
//!
//!   cargo bench -p abroad-domain --bench draw

use abroad_domain::draw::{DrawInputs, Entry, Slot, draw, inputs_digest, ranking_key};
use abroad_domain::{Selection, Semester};
use criterion::Criterion;
use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};
use uuid::{Builder, Uuid};

const DESTINATIONS: usize = 1_000;
const APPLICATIONS: usize = 100_000;
const CHOICES: usize = 10;

/// SplitMix64: a fixed, dependency-free generator, so every run draws the same inputs.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A version-4-shaped UUID, as the database's `gen_random_uuid()` makes them.
    fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.next()) << 64 | u128::from(self.next())).to_be_bytes();
        Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// The inputs: a few places per slot (1–4), 1% of destinations in a country under
/// negative advice (blocked), and demand skewed towards popular destinations (Zipf,
/// exponent 1: the most popular is chosen ~130× as often as the median one).
fn inputs() -> DrawInputs {
    let mut rng = SplitMix(0x0ab0_ad00_d4a3_2026);
    let destinations: Vec<Uuid> = (0..DESTINATIONS).map(|_| rng.uuid()).collect();
    let mut slots = Vec::with_capacity(2 * DESTINATIONS);
    for (n, &destination_id) in destinations.iter().enumerate() {
        for semester in [Semester::Autumn, Semester::Spring] {
            slots.push(Slot {
                destination_id,
                semester,
                places: 1 + (rng.next() % 4) as u32,
                blocked: n % 100 == 37,
            });
        }
    }
    // Popularity rank r (0 most popular) has weight 1 / (r + 1); the ranks are spread
    // over the destinations in a fixed shuffled order.
    let mut cumulative = Vec::with_capacity(DESTINATIONS);
    let mut total = 0.0;
    for r in 0..DESTINATIONS {
        total += 1.0 / (r as f64 + 1.0);
        cumulative.push(total);
    }
    let mut by_popularity: Vec<usize> = (0..DESTINATIONS).collect();
    for i in (1..DESTINATIONS).rev() {
        by_popularity.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    let applications = (0..APPLICATIONS)
        .map(|_| {
            let application_id = rng.uuid();
            let semester = if rng.next() % 5 < 3 {
                Semester::Autumn
            } else {
                Semester::Spring
            };
            let plan_b = rng.next().is_multiple_of(2);
            let mut choices: Vec<Uuid> = Vec::with_capacity(CHOICES);
            while choices.len() < CHOICES {
                let x = rng.unit() * total;
                let r = cumulative.partition_point(|&c| c < x).min(DESTINATIONS - 1);
                let d = destinations[by_popularity[r]];
                if !choices.contains(&d) {
                    choices.push(d);
                }
            }
            Entry {
                application_id,
                semester,
                plan_b,
                choices,
                score: None,
            }
        })
        .collect();
    DrawInputs {
        slots,
        applications,
    }
}

/// Runs `routine` under criterion and keeps each sample's time per iteration, so the
/// ratio below uses the very samples criterion reports.
/// `None` when criterion took no samples (`--list`, `--profile-time`, a filter).
fn timed(c: &mut Criterion, name: &str, mut routine: impl FnMut()) -> Option<Duration> {
    let samples = RefCell::new(Vec::new());
    c.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let start = Instant::now();
            for _ in 0..iterations {
                routine();
            }
            let elapsed = start.elapsed();
            samples
                .borrow_mut()
                .push(elapsed / u32::try_from(iterations.max(1)).unwrap_or(u32::MAX));
            elapsed
        });
    });
    let mut samples = samples.into_inner();
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied()
}

#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    let inputs = inputs();
    let seed: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);

    let outcome = draw(Selection::Lottery, &seed, &inputs).expect("the inputs are drawable");
    let placed = outcome
        .placements
        .iter()
        .filter(|p| p.destination_id.is_some())
        .count();
    let places: u32 = inputs.slots.iter().map(Slot::open_places).sum();
    println!(
        "inputs: {} applications × {CHOICES} choices, {} slots with {places} open places; the draw places {placed}",
        inputs.applications.len(),
        inputs.slots.len(),
    );

    let ids: Vec<Uuid> = inputs
        .applications
        .iter()
        .map(|a| a.application_id)
        .collect();
    let keys = timed(&mut c, "ranking keys alone (baseline)", || {
        for &id in &ids {
            black_box(ranking_key(black_box(&seed), id));
        }
    });
    let drawn = timed(&mut c, "draw (lottery)", || {
        black_box(draw(Selection::Lottery, black_box(&seed), black_box(&inputs)).ok());
    });
    let digest = timed(&mut c, "inputs_digest", || {
        black_box(inputs_digest(black_box(&inputs)).ok());
    });
    c.final_summary();

    let (Some(keys), Some(drawn), Some(digest)) = (keys, drawn, digest) else {
        return;
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "median per run: baseline (100,000 ranking keys) {:.2} ms; draw {:.2} ms = {:.2}× baseline (target ≤ 50 ms); inputs_digest {:.2} ms = {:.2}× baseline",
        ms(keys),
        ms(drawn),
        drawn.as_secs_f64() / keys.as_secs_f64(),
        ms(digest),
        digest.as_secs_f64() / keys.as_secs_f64(),
    );
}
