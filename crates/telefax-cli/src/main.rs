//! The `telefax` command-line tool.
fn main() {
    println!("telefax");
}
