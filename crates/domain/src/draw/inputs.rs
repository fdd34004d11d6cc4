//! What a draw uses, as the draw record publishes it, and its digest.

use super::{DrawError, hex};
use crate::destination::Semester;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

/// Everything a draw uses besides the seed: the call's slots and the applications in
/// the running (eligible when the call closed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DrawInputs {
    pub slots: Vec<Slot>,
    pub applications: Vec<Entry>,
}

/// Places at one destination in one semester.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Slot {
    pub destination_id: Uuid,
    pub semester: Semester,
    /// As the call configures them; a blocked slot still shows them.
    #[schema(example = 2)]
    pub places: u32,
    /// The country was under negative travel advice at draw time: the draw used 0 places.
    pub blocked: bool,
}

impl Slot {
    /// The places the draw may fill: none while blocked (SPEC.md, Selection 3).
    pub fn open_places(&self) -> u32 {
        if self.blocked { 0 } else { self.places }
    }
}

/// One application in the draw: its semester, whether it accepts the other semester
/// (`plan_b`), its destinations in order of preference, and in a `ranking` call the
/// office's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    pub application_id: Uuid,
    pub semester: Semester,
    pub plan_b: bool,
    /// Destination ids, first choice first.
    pub choices: Vec<Uuid>,
    /// Only in `ranking` calls; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 87.5)]
    pub score: Option<f64>,
}

impl Entry {
    /// The places it asks for, in the order it asks: its choices in its own semester,
    /// then, with `plan_b`, the same choices in the other semester (a full year has
    /// none). Each with its 1-based position in the student's list.
    pub fn wishes(&self) -> impl Iterator<Item = (u32, Uuid, Semester)> + '_ {
        let own = self.semester;
        let plan_b = self.plan_b.then(|| own.other()).flatten();
        let numbered = || (1u32..).zip(self.choices.iter().copied());
        numbered()
            .map(move |(position, destination)| (position, destination, own))
            .chain(
                plan_b
                    .into_iter()
                    .flat_map(move |other| numbered().map(move |(p, d)| (p, d, other))),
            )
    }
}

/// `SHA-256(JCS(inputs))` as lowercase hex, published when the call closes (SPEC.md,
/// Selection 1): the slots without `blocked`, applications ordered by `application_id`,
/// slots by `destination_id` then `semester`, and RFC 8785 canonical JSON.
///
/// Ids sort as their lowercase hyphenated text does, semesters by their word
/// (`autumn` < `full_year` < `spring`), so a verifier can sort the published JSON
/// values as strings. A score that is not a finite number has no JSON form:
/// [`DrawError::InvalidScore`].
pub fn inputs_digest(inputs: &DrawInputs) -> Result<String, DrawError> {
    if let Some(bad) = inputs
        .applications
        .iter()
        .find(|a| a.score.is_some_and(|s| !s.is_finite()))
    {
        return Err(DrawError::InvalidScore(bad.application_id));
    }
    let mut applications: Vec<&Entry> = inputs.applications.iter().collect();
    applications.sort_unstable_by_key(|a| a.application_id);
    let mut slots: Vec<&Slot> = inputs.slots.iter().collect();
    slots.sort_unstable_by(|a, b| {
        (a.destination_id, a.semester.as_str()).cmp(&(b.destination_id, b.semester.as_str()))
    });
    let mut hasher = Sha256::new();
    canonical(&applications, &slots, |part| hasher.update(part));
    Ok(hex(&hasher.finalize()))
}

/// The committed inputs as RFC 8785 canonical JSON, handed to `emit` in parts of about
/// 64 KiB (100,000 applications make ~50 MB). Written out directly: every member name
/// is fixed ASCII, written in UTF-16 order; ids and semester words need no escaping;
/// `places` is a whole number; a score is formatted by `serde_jcs` (ECMAScript's
/// number form). A general JCS serialiser takes ~5× as long, and the digest is taken
/// at close and again at the draw.
fn canonical(applications: &[&Entry], slots: &[&Slot], mut emit: impl FnMut(&[u8])) {
    const PART: usize = 1 << 16;
    let mut out = Vec::with_capacity(PART + 4096);
    let mut flush = |out: &mut Vec<u8>| {
        if out.len() >= PART {
            emit(out);
            out.clear();
        }
    };
    out.extend_from_slice(b"{\"applications\":[");
    for (n, a) in applications.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"application_id\":");
        quoted_id(&mut out, &a.application_id);
        out.extend_from_slice(b",\"choices\":[");
        for (m, choice) in a.choices.iter().enumerate() {
            if m > 0 {
                out.push(b',');
            }
            quoted_id(&mut out, choice);
        }
        out.extend_from_slice(if a.plan_b {
            b"],\"plan_b\":true"
        } else {
            b"],\"plan_b\":false"
        });
        if let Some(score) = a.score {
            out.extend_from_slice(b",\"score\":");
            out.extend_from_slice(
                &serde_jcs::to_vec(&score).expect("a finite score always has a JSON form"),
            );
        }
        out.extend_from_slice(b",\"semester\":\"");
        out.extend_from_slice(a.semester.as_str().as_bytes());
        out.extend_from_slice(b"\"}");
        flush(&mut out);
    }
    out.extend_from_slice(b"],\"slots\":[");
    for (n, s) in slots.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"destination_id\":");
        quoted_id(&mut out, &s.destination_id);
        out.extend_from_slice(b",\"places\":");
        out.extend_from_slice(s.places.to_string().as_bytes());
        out.extend_from_slice(b",\"semester\":\"");
        out.extend_from_slice(s.semester.as_str().as_bytes());
        out.extend_from_slice(b"\"}");
        flush(&mut out);
    }
    out.extend_from_slice(b"]}");
    emit(&out);
}

/// An id as a JSON string of its lowercase hyphenated form.
fn quoted_id(out: &mut Vec<u8>, id: &Uuid) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 2 + uuid::fmt::Hyphenated::LENGTH];
    (text[0], text[37]) = (b'"', b'"');
    let mut at = 1;
    for (i, byte) in id.as_bytes().iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = HEX[usize::from(byte >> 4)];
        text[at + 1] = HEX[usize::from(byte & 0xf)];
        at += 2;
    }
    out.extend_from_slice(&text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jcs(json: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        serde_jcs::to_string(&value).unwrap()
    }

    #[test]
    fn canonical_json_is_rfc_8785s_own_example() {
        // RFC 8785, section 3.2.2 (input) and 3.2.3 (its canonical form).
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            jcs(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn canonical_json_sorts_keys_by_utf16_code_units() {
        // RFC 8785, section 3.2.3's sorting example.
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        // serde_json's own map re-sorts keys, so read the order off the text.
        let canonical = jcs(input);
        let mut order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small Letter O With Diaeresis",
            "Euro Sign",
            "Emoji: Grinning Face",
            "Hebrew Letter Dalet With Dagesh",
        ]
        .to_vec();
        order.sort_by_key(|name| canonical.find(name).unwrap());
        assert_eq!(
            order,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh"
            ]
        );
    }

    #[test]
    fn canonical_numbers_are_ecmascripts() {
        // RFC 8785, Appendix B's IEEE 754 → ECMAScript examples that a score can reach,
        // and the ones where JCS differs from a plain serialiser.
        for (number, text) in [
            ("0", "0"),
            ("-0", "0"),
            ("1000.0", "1000"),
            ("87.50", "87.5"),
            ("0.1", "0.1"),
            ("1e21", "1e+21"),
            ("1e-7", "1e-7"),
            ("0.000001", "0.000001"),
            ("9007199254740992", "9007199254740992"),
            ("295147905179352830000", "295147905179352830000"),
            ("-1.7976931348623157e+308", "-1.7976931348623157e+308"),
            ("5e-324", "5e-324"),
        ] {
            assert_eq!(jcs(number), text, "{number}");
        }
    }

    fn sample() -> DrawInputs {
        let dest = |n| Uuid::from_u128(n);
        DrawInputs {
            slots: vec![
                Slot {
                    destination_id: dest(0xb),
                    semester: Semester::Spring,
                    places: 1,
                    blocked: false,
                },
                Slot {
                    destination_id: dest(0xa),
                    semester: Semester::Spring,
                    places: 2,
                    blocked: true,
                },
                Slot {
                    destination_id: dest(0xa),
                    semester: Semester::Autumn,
                    places: 3,
                    blocked: false,
                },
            ],
            applications: vec![
                Entry {
                    application_id: dest(2),
                    semester: Semester::Autumn,
                    plan_b: true,
                    choices: vec![dest(0xa), dest(0xb)],
                    score: Some(90.0),
                },
                Entry {
                    application_id: dest(1),
                    semester: Semester::Spring,
                    plan_b: false,
                    choices: vec![dest(0xb)],
                    score: None,
                },
            ],
        }
    }

    #[test]
    fn the_digest_is_of_the_sorted_inputs_without_blocked() {
        // Computed independently with Python: the canonical text below, hashed by
        // hashlib.sha256(text.encode()).hexdigest().
        let text = concat!(
            r#"{"applications":["#,
            r#"{"application_id":"00000000-0000-0000-0000-000000000001","choices":["00000000-0000-0000-0000-00000000000b"],"plan_b":false,"semester":"spring"},"#,
            r#"{"application_id":"00000000-0000-0000-0000-000000000002","choices":["00000000-0000-0000-0000-00000000000a","00000000-0000-0000-0000-00000000000b"],"plan_b":true,"score":90,"semester":"autumn"}"#,
            r#"],"slots":["#,
            r#"{"destination_id":"00000000-0000-0000-0000-00000000000a","places":3,"semester":"autumn"},"#,
            r#"{"destination_id":"00000000-0000-0000-0000-00000000000a","places":2,"semester":"spring"},"#,
            r#"{"destination_id":"00000000-0000-0000-0000-00000000000b","places":1,"semester":"spring"}"#,
            r#"]}"#
        );
        assert_eq!(
            hex(&Sha256::digest(text.as_bytes())),
            "248fef5116d224c47af097d690deec1859783640d336300f346647f286346951"
        );
        assert_eq!(
            inputs_digest(&sample()).unwrap(),
            "248fef5116d224c47af097d690deec1859783640d336300f346647f286346951"
        );
    }

    #[test]
    fn the_digest_ignores_order_and_blocking_but_not_places_or_choices() {
        let inputs = sample();
        let digest = inputs_digest(&inputs).unwrap();

        let mut shuffled = inputs.clone();
        shuffled.slots.reverse();
        shuffled.applications.reverse();
        for slot in &mut shuffled.slots {
            slot.blocked = !slot.blocked;
        }
        assert_eq!(inputs_digest(&shuffled).unwrap(), digest);

        let mut more_places = inputs.clone();
        more_places.slots[0].places += 1;
        assert_ne!(inputs_digest(&more_places).unwrap(), digest);

        let mut other_order = inputs.clone();
        other_order.applications[0].choices.reverse();
        assert_ne!(inputs_digest(&other_order).unwrap(), digest);
    }

    /// The committed inputs as a general JCS serialiser sees them: the reference the
    /// hand-written canonical form is held to.
    fn by_serde_jcs(inputs: &DrawInputs) -> Vec<u8> {
        #[derive(Serialize)]
        struct CommittedSlot {
            destination_id: Uuid,
            semester: Semester,
            places: u32,
        }
        #[derive(Serialize)]
        struct Committed<'a> {
            applications: Vec<&'a Entry>,
            slots: Vec<CommittedSlot>,
        }
        let mut applications: Vec<&Entry> = inputs.applications.iter().collect();
        applications.sort_by_key(|a| a.application_id);
        let mut slots: Vec<CommittedSlot> = inputs
            .slots
            .iter()
            .map(|s| CommittedSlot {
                destination_id: s.destination_id,
                semester: s.semester,
                places: s.places,
            })
            .collect();
        slots.sort_by(|a, b| {
            (a.destination_id, a.semester.as_str()).cmp(&(b.destination_id, b.semester.as_str()))
        });
        serde_jcs::to_vec(&Committed {
            applications,
            slots,
        })
        .unwrap()
    }

    fn written(inputs: &DrawInputs) -> Vec<u8> {
        let mut applications: Vec<&Entry> = inputs.applications.iter().collect();
        applications.sort_unstable_by_key(|a| a.application_id);
        let mut slots: Vec<&Slot> = inputs.slots.iter().collect();
        slots.sort_unstable_by(|a, b| {
            (a.destination_id, a.semester.as_str()).cmp(&(b.destination_id, b.semester.as_str()))
        });
        let mut out = Vec::new();
        canonical(&applications, &slots, |part| out.extend_from_slice(part));
        out
    }

    #[test]
    fn the_written_canonical_form_is_a_general_jcs_serialisers() {
        let mut inputs = sample();
        assert_eq!(written(&inputs), by_serde_jcs(&inputs));
        inputs.slots.push(Slot {
            destination_id: Uuid::from_u128(0xa),
            semester: Semester::FullYear,
            places: 1000,
            blocked: false,
        });
        inputs.applications[1].semester = Semester::FullYear;
        inputs.applications[1].choices.clear();
        for score in [
            0.0,
            -0.0,
            0.1,
            87.5,
            -1.0,
            1e21,
            1e-7,
            5e-324,
            1.7976931348623157e308,
        ] {
            inputs.applications[0].score = Some(score);
            assert_eq!(
                String::from_utf8(written(&inputs)).unwrap(),
                String::from_utf8(by_serde_jcs(&inputs)).unwrap(),
                "{score}"
            );
        }
        let empty = DrawInputs::default();
        assert_eq!(written(&empty), by_serde_jcs(&empty));
        // Large enough to be written in several parts.
        let many = DrawInputs {
            slots: inputs.slots.clone(),
            applications: (0..600u128)
                .map(|n| Entry {
                    application_id: Uuid::from_u128(n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c)),
                    semester: Semester::Spring,
                    plan_b: n % 2 == 0,
                    choices: (0..10).map(|c| Uuid::from_u128(n * 31 + c)).collect(),
                    score: (n % 3 == 0).then_some(n as f64 / 7.0),
                })
                .collect(),
        };
        assert!(written(&many).len() > 4 * 65_536);
        assert_eq!(written(&many), by_serde_jcs(&many));
    }

    proptest::proptest! {
        #[test]
        fn any_score_is_written_as_a_general_jcs_serialiser_writes_it(
            score in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
            ids in proptest::collection::vec(proptest::prelude::any::<u128>(), 0..6),
        ) {
            let mut inputs = sample();
            inputs.applications[0].score = Some(score);
            inputs.applications[1].choices = ids.iter().map(|&n| Uuid::from_u128(n)).collect();
            proptest::prop_assert_eq!(written(&inputs), by_serde_jcs(&inputs));
        }
    }

    #[test]
    fn a_score_without_a_json_form_is_refused() {
        let mut inputs = sample();
        inputs.applications[1].score = Some(f64::NAN);
        assert_eq!(
            inputs_digest(&inputs),
            Err(DrawError::InvalidScore(Uuid::from_u128(1)))
        );
    }

    #[test]
    fn the_json_has_api_md_s_field_names_and_omits_an_absent_score() {
        let json = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            json["slots"][0],
            serde_json::json!({
                "destination_id": "00000000-0000-0000-0000-00000000000b",
                "semester": "spring",
                "places": 1,
                "blocked": false
            })
        );
        assert_eq!(
            json["applications"][1],
            serde_json::json!({
                "application_id": "00000000-0000-0000-0000-000000000001",
                "semester": "spring",
                "plan_b": false,
                "choices": ["00000000-0000-0000-0000-00000000000b"]
            })
        );
        assert_eq!(json["applications"][0]["score"], 90.0);
        let back: DrawInputs = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn plan_b_repeats_the_choices_in_the_other_semester_and_a_full_year_has_none() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let entry = |semester, plan_b| Entry {
            application_id: Uuid::from_u128(9),
            semester,
            plan_b,
            choices: vec![a, b],
            score: None,
        };
        let spring = Semester::Spring;
        let autumn = Semester::Autumn;
        assert_eq!(
            entry(spring, true).wishes().collect::<Vec<_>>(),
            [
                (1, a, spring),
                (2, b, spring),
                (1, a, autumn),
                (2, b, autumn)
            ]
        );
        assert_eq!(
            entry(spring, false).wishes().collect::<Vec<_>>(),
            [(1, a, spring), (2, b, spring)]
        );
        let full = Semester::FullYear;
        assert_eq!(
            entry(full, true).wishes().collect::<Vec<_>>(),
            [(1, a, full), (2, b, full)]
        );
    }
}
