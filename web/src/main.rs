//! Mounts the admin app.

fn main() {
    clearance_web::start();
}
