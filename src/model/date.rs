//! TMX dates (`20220114T101010Z`, UTC) to and from seconds since 1970.

/// Seconds since 1970 for a TMX date; 0 when absent or unreadable. Separators are ignored,
/// so `2022-01-14T10:10:10Z` reads too.
pub fn tmx_date_seconds(date: Option<&str>) -> i64 {
    let Some(d) = date else { return 0 };
    let digits: Vec<i64> =
        d.bytes().filter(u8::is_ascii_digit).map(|b| i64::from(b - b'0')).collect();
    if digits.len() < 8 {
        return 0;
    }
    let num = |r: std::ops::Range<usize>| {
        r.map(|i| digits.get(i).copied().unwrap_or(0)).fold(0, |a, d| a * 10 + d)
    };
    let days = days_from_civil(num(0..4), num(4..6), num(6..8));
    days * 86_400 + num(8..10) * 3600 + num(10..12) * 60 + num(12..14)
}

/// The TMX date of a moment given as seconds since 1970.
pub fn format_tmx_date(seconds: i64) -> String {
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Now, as a TMX date.
pub fn tmx_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_tmx_date(secs)
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(tmx_date_seconds(Some("19700101T000000Z")), 0);
        assert_eq!(tmx_date_seconds(Some("20220114T101010Z")), 1_642_155_010);
        assert_eq!(tmx_date_seconds(Some("2022-01-14")), 1_642_118_400);
        assert_eq!(tmx_date_seconds(None), 0);
        for s in [0, 1_642_155_010, 951_782_400, 4_102_444_799] {
            assert_eq!(tmx_date_seconds(Some(&format_tmx_date(s))), s);
        }
        assert_eq!(format_tmx_date(951_782_400), "20000229T000000Z");
    }
}
