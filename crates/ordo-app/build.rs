// The use-case tests run on PostgreSQL too when ORDO_TEST_DATABASE_URL is
// set at build time (scripts/test.sh sets it); otherwise they are reported
// as ignored, with the reason, never as passed.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ordo_pg)");
    println!("cargo::rerun-if-env-changed=ORDO_TEST_DATABASE_URL");
    if std::env::var_os("ORDO_TEST_DATABASE_URL").is_some() {
        println!("cargo::rustc-cfg=ordo_pg");
    }
}
