// swift-tools-version:5.9
//
// The Swift package of zulip-auth: `import ZulipAuth` gives Swift code the C functions of
// include/zulip_auth.h through a Clang module. Where the library comes from:
//
// - target/ZulipAuth.xcframework, built as docs/ios.md describes, for iOS (and macOS when the
//   XCFramework has a macOS library). When it exists, the module is a binary target over it,
//   with the module map of include/apple/ZulipAuth.modulemap.
// - Otherwise the library that scripts/install.sh installed, found through pkg-config
//   (zulip_auth.pc), with the module map of include/module.modulemap. Set PKG_CONFIG_PATH to
//   PREFIX/lib/pkgconfig when PREFIX is not one of pkg-config's default directories.
//
// NOTE: no Swift toolchain runs in this repository's CI, so this manifest has never been
// built there. tests/packaging.rs checks both module maps with Clang instead.

import Foundation
import PackageDescription

let xcframework = "target/ZulipAuth.xcframework"
let hasXCFramework = FileManager.default.fileExists(
    atPath: URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent(xcframework).path
)

let zulipAuth: Target = hasXCFramework
    ? .binaryTarget(name: "ZulipAuth", path: xcframework)
    : .systemLibrary(name: "ZulipAuth", path: "include", pkgConfig: "zulip_auth")

let package = Package(
    name: "ZulipAuth",
    products: [
        .library(name: "ZulipAuth", targets: ["ZulipAuth"]),
    ],
    targets: [zulipAuth]
)
