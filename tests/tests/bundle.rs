//! A bundle decides exactly like the policy it was compiled from: every
//! scenario of the corpus, answered by the compiled engine and by the engine
//! loaded back from its signed bundle, gives the same answer.

use clearance_core::bundle;

#[test]
fn bundled_engines_answer_the_corpus_like_compiled_ones() {
    let secret = [42u8; 32];
    let key = bundle::public_key(&secret);
    let mut cases = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let suite = clearance_cli::load::load_suite(&path).unwrap();
        let loaded =
            bundle::open(&bundle::write(&suite.engine, Some(&secret), &bundle::Stamp::default(), true).unwrap(), Some(&key), false)
                .unwrap();
        // Records hold the compiling engine's indices: load them again for the bundled one.
        let records = suite.dataset.as_ref().map(|d| {
            let json = serde_json::to_value(d.records().map(|r| suite.engine.record_input(r)).collect::<Vec<_>>()).unwrap();
            loaded.load_records(&json).unwrap()
        });
        let original = clearance_core::suite::run(&suite.engine, suite.dataset.as_ref(), &suite.cases);
        let bundled = clearance_core::suite::run(&loaded, records.as_ref(), &suite.cases);
        for (a, b) in original.iter().zip(&bundled) {
            assert_eq!(a.actual, b.actual, "{} :: {}", path.display(), a.name);
            cases += 1;
        }
    }
    assert!(cases > 100, "the corpus ran ({cases} cases)");
}
