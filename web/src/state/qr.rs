//! A QR code as one SVG path — a unit square per dark module, inside the
//! four-module quiet zone scanners need — so enrolling a second factor
//! shows the `otpauth://` address as a code an authenticator app reads.

use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write;

/// A drawn code: the side of its square (quiet zone included) and its path.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// Side of the square in modules, the quiet zone included.
    pub size: i32,
    /// The dark modules, each `M x,y h1v1h-1z`.
    pub path: String,
}

const QUIET: i32 = 4;

/// `text` as a QR code (error correction level M); `None` when too long for one.
pub fn draw(text: &str) -> Option<Drawn> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let mut path = String::new();
    for y in 0..code.size() {
        for x in 0..code.size() {
            if code.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET, y + QUIET);
            }
        }
    }
    Some(Drawn { size: code.size() + 2 * QUIET, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_otpauth_address_draws_with_its_finder_patterns_inside_the_quiet_zone() {
        let url = "otpauth://totp/Clearance:admin_ivy?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Clearance";
        let drawn = draw(url).unwrap();
        let code = QrCode::encode_text(url, QrCodeEcc::Medium).unwrap();
        assert_eq!(drawn.size, code.size() + 8);
        let dark = (0..code.size()).flat_map(|y| (0..code.size()).map(move |x| (x, y))).filter(|&(x, y)| code.get_module(x, y)).count();
        assert_eq!(drawn.path.matches('M').count(), dark);
        // The top-left finder pattern: a dark 7×7 ring whose corner sits at the quiet zone's edge.
        for (x, y) in [(4, 4), (10, 4), (4, 10), (10, 10), (6, 6)] {
            assert!(drawn.path.contains(&format!("M{x},{y}h1v1h-1z")), "({x},{y})");
        }
        assert!(!drawn.path.contains("M5,5h"), "the ring's inside is light");
        assert!(!drawn.path.contains("M3,") && !drawn.path.contains(",3h"), "nothing in the quiet zone");
        assert_eq!(draw(&"x".repeat(5000)), None, "too long for any version");
    }
}
