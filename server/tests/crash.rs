//! `kill -9` of the server while it applies a change leaves the change
//! whole or absent: the request approved and one version, or applied with
//! its version current — and the state verifies either way.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on unexpected input")]

mod support;

use clearance_core::change::request::State;
use serde_json::json;
use support::Server;

#[test]
fn a_server_killed_during_apply_leaves_the_change_whole_or_absent() {
    let mut server = Server::start("crash");
    for round in 0..6u64 {
        let mike = server.sign_in("mgr_east_mike");
        let fiona = server.sign_in("fin_mgr_fiona");
        let role = if round % 2 == 0 { "sales_rep_west" } else { "sales_rep_east" };
        let changes = json!({"changes": [{"op": "move_user", "user": "rep_east_bob", "role": role}]});
        let (_, request) = support::answer(mike.post("/v1/requests", &changes));
        let id = request["id"].as_str().unwrap().to_owned();
        assert_eq!(fiona.post(&format!("/v1/requests/{id}/approve"), &json!({})).status(), 200);
        let versions_before = server.state(|s| s.versions()).len();
        // Send the apply, then kill the process a moment later (a different moment each round).
        let url = format!("{}/v1/requests/{id}/apply", server.url);
        let (http, csrf) = (fiona.http.clone(), fiona.csrf.clone());
        let sent = std::thread::spawn(move || http.post(url).header("x-csrf-token", csrf).json(&json!({})).send());
        std::thread::sleep(std::time::Duration::from_micros(round * 1500));
        server.kill();
        let _ = sent.join();

        server.state(|s| s.verify(None));
        let (request, versions) = server.state(|s| Ok((s.request(&id)?, s.versions()?)));
        match request.state {
            State::Approved => assert_eq!(versions.len(), versions_before, "round {round}: no version without the request applied"),
            State::Applied => {
                assert_eq!(versions.len(), versions_before + 1, "round {round}");
                assert_eq!(request.applied_version.as_deref(), Some(versions.last().unwrap().hash.as_str()));
            }
            other => panic!("round {round}: {other:?}"),
        }
        server = Server::serve(server.dir.clone(), true);
        // An approved request left behind is applied by the next server.
        if request.state == State::Approved {
            let fiona = server.sign_in("fin_mgr_fiona");
            assert_eq!(fiona.post(&format!("/v1/requests/{id}/apply"), &json!({})).status(), 200);
        }
    }
}

#[test]
fn sigterm_lets_requests_in_flight_finish_then_exits_cleanly() {
    let mut server = Server::start("sigterm");
    let mike = server.sign_in("mgr_east_mike");
    let pid = server.pid();
    // A burst of proposals in flight when the signal arrives: each is answered, none is cut off.
    let answers: Vec<u16> = std::thread::scope(|scope| {
        // A request the closing server no longer takes fails to send (0): only answered ones count.
        let post = || {
            let request = mike.http.post(format!("{}/v1/requests", mike.url)).header("x-csrf-token", &mike.csrf).json(&support::move_bob());
            request.send().map_or(0, |r| r.status().as_u16())
        };
        let sent: Vec<_> = (0..6).map(|_| scope.spawn(post)).collect();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
        assert!(status.success());
        sent.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|s| *s == 201 || *s == 0), "answered in full or not taken: {answers:?}");
    let code = server.wait();
    assert_eq!(code, Some(0), "a clean exit after SIGTERM");
    server.state(|s| s.verify(None));
    assert_eq!(server.state(|s| s.requests()).len(), answers.iter().filter(|s| **s == 201).count(), "every answered proposal was kept");
}
