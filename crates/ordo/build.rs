// Integration tests run on PostgreSQL too when ORDO_TEST_DATABASE_URL is set
// at build time, through a real SMTP server when ORDO_TEST_SMTP_URL is, and
// against an S3-compatible server when ORDO_TEST_S3_ENDPOINT is;
// otherwise those tests are reported as ignored (never as passed), with the
// reason.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ordo_pg)");
    println!("cargo::rustc-check-cfg=cfg(ordo_smtp)");
    println!("cargo::rerun-if-env-changed=ORDO_TEST_DATABASE_URL");
    println!("cargo::rerun-if-env-changed=ORDO_TEST_SMTP_URL");
    println!("cargo::rustc-check-cfg=cfg(ordo_browser)");
    println!("cargo::rerun-if-env-changed=ORDO_TEST_BROWSER");
    if std::env::var_os("ORDO_TEST_BROWSER").is_some() {
        println!("cargo::rustc-cfg=ordo_browser");
    }
    if std::env::var_os("ORDO_TEST_DATABASE_URL").is_some() {
        println!("cargo::rustc-cfg=ordo_pg");
    }
    // pdftotext and Python's icalendar, installed by the test script.
    println!("cargo::rustc-check-cfg=cfg(ordo_tools)");
    println!("cargo::rerun-if-env-changed=ORDO_TEST_PYTHON");
    if std::env::var_os("ORDO_TEST_PYTHON").is_some() {
        println!("cargo::rustc-cfg=ordo_tools");
    }
    println!("cargo::rustc-check-cfg=cfg(ordo_s3)");
    println!("cargo::rerun-if-env-changed=ORDO_TEST_S3_ENDPOINT");
    if std::env::var_os("ORDO_TEST_S3_ENDPOINT").is_some() {
        println!("cargo::rustc-cfg=ordo_s3");
    }
    if std::env::var_os("ORDO_TEST_SMTP_URL").is_some() {
        println!("cargo::rustc-cfg=ordo_smtp");
    }
}
