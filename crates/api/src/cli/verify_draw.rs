//! `abroad verify-draw FILE|-`: checks a published draw record (`GET /calls/{id}/draw`)
//! from its contents alone, so `curl … | abroad verify-draw -` tells anyone whether the
//! office's draw is the one its commitment and inputs digest promised.

use super::{CommandError, print};
use abroad_domain::draw::{DrawRecord, verify};
use std::io::Read;

/// Reads the record from `source` (a path, or `-` for standard input) and checks it:
/// `Ok` with a line saying it matches, or an error naming the first difference.
pub fn run(source: &str) -> Result<(), CommandError> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CommandError::Other(format!("cannot read standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| CommandError::Other(format!("cannot read {source}: {e}")))?
    };
    let record: DrawRecord = serde_json::from_str(&text).map_err(|e| {
        CommandError::Other(format!("not a draw record (GET /calls/{{id}}/draw): {e}"))
    })?;
    let verified = verify(&record).map_err(|difference| {
        CommandError::Other(format!("the draw does not match: {difference}"))
    })?;
    print(&format!(
        "match: the seed is the committed one, the inputs are the ones digested at close, \
         and the draw ranks {} applications and places {} exactly as published\n",
        verified.applications, verified.placed
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::run;

    #[test]
    fn unreadable_or_foreign_input_is_an_error_not_a_panic() {
        assert!(run("/nonexistent/draw.json").is_err());
        let path = std::env::temp_dir().join(format!("not-a-draw-{}.json", std::process::id()));
        std::fs::write(&path, "{\"hello\": 1}").expect("write");
        assert!(run(path.to_str().expect("utf-8")).is_err());
        let _ = std::fs::remove_file(path);
    }
}
