//! The layers are kept apart by Cargo, not by review: the web layer and the
//! command line reach the database only through the use cases (`ordo-app`),
//! because neither may name `ordo-store` (a crate can only `use` what its
//! own `[dependencies]` list).

fn dependencies(crate_dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(crate_dir).join("Cargo.toml");
    let manifest: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    manifest["dependencies"].as_table().unwrap().keys().cloned().collect()
}

#[test]
fn the_web_layer_and_the_command_line_do_not_depend_on_the_store() {
    for krate in ["ordo-web", "ordo"] {
        let deps = dependencies(krate);
        assert!(deps.iter().any(|d| d == "ordo-app"), "{krate}: {deps:?}");
        assert!(!deps.iter().any(|d| d == "ordo-store"), "{krate} depends on ordo-store: {deps:?}");
    }
    // The check reads what it should: the use-case layer does use the store.
    assert!(dependencies("ordo-app").iter().any(|d| d == "ordo-store"));
}
