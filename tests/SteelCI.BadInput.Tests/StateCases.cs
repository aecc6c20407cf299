using SteelCI.Contracts;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// What earlier runs left: a state file that is garbage, truncated or of another format, a stale or held lock, and
/// releases that were tampered with, truncated, emptied of a file or of their manifest, or whose manifest points outside.
/// </summary>
public static class StateCases
{
    private static string StateFile(Sandbox b) => Path.Combine(b.Workspace, "state", "state.json");

    private static Case State(string name, string content, string says) =>
        new("state", name, 2, b => ["status", b.Spec], StateFile)
        {
            Setup = b => { b.Write(".steelci/.steelci-workspace", "x"); b.Write(".steelci/state/state.json", content); },
            Then = (_, r) => Assert.Contains(says, r.Output),
        };

    private static Case Download(string name, Action<Sandbox, string> damage, Func<Sandbox, string> where, int exit = 2) =>
        new("releases", name, exit, b => ["download", b.Spec, "--release", StoreSetup.Tag(), "--output", Path.Combine(b.Work, "out")], where)
        {
            Setup = b => damage(b, StoreSetup.Release(b)),
            Then = (b, r) => Assert.False(Directory.Exists(Path.Combine(b.Work, "out")), r.Output), // nothing half-copied
        };

    public static IEnumerable<Case> All() =>
    [
        State("state.json is garbage", "this is not json", "not a valid RunState"),
        State("state.json is empty", "", "not a valid RunState"),
        State("state.json is cut off", "{\"format\": \"steelci.state/1\", \"pipeline\": \"tiny\", \"stages\": {", "not a valid RunState"),
        State("state.json is JSON of another shape", "[1, 2, 3]", "not a valid RunState"),
        State("state.json of a future format", "{\"format\": \"steelci.state/99\", \"pipeline\": \"tiny\", \"runId\": \"r\", \"stages\": {}}", "steelci.state/99"),
        new("state", "a stale lock file (its holder is gone) does not block", 0, b => ["status", b.Spec], _ => "No run recorded")
        {
            Setup = b => { b.Write(".steelci/.steelci-workspace", "x"); b.Write(".steelci/state/state.lock", ""); },
        },
        new("state", "prune while a run holds the lock", 4, b => ["prune", b.Spec], b => Path.Combine(b.Workspace, "state", "state.lock"))
        {
            Setup = b =>
            {
                b.Write(".steelci/.steelci-workspace", "x");
                var path = b.Write(".steelci/state/state.lock", "");
                b.Keep(new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None));
            },
        },
        new("state", "logs of a stage when nothing ran", 2, b => ["logs", "s1", b.Spec], b => $"no run recorded in {b.Workspace}"),
        Download("a flipped byte in a released file", (_, f) => StoreSetup.FlipByte(Path.Combine(f, "model.bin")),
            b => $"{Path.Combine(b.Workspace, "releases", StoreSetup.Tag(), "model.bin")}: sha256"),
        Download("a released file cut short", (_, f) => StoreSetup.Truncate(Path.Combine(f, "model.bin"), 10),
            b => $"{Path.Combine(b.Workspace, "releases", StoreSetup.Tag(), "model.bin")}: 10 bytes"),
        Download("a released file deleted", (_, f) => File.Delete(Path.Combine(f, "metrics.json")), _ => "lists 'metrics.json', which is missing"),
        Download("a release without its manifest", (_, f) => File.Delete(Path.Combine(f, Manifest.FileName)), _ => $"--release {StoreSetup.Tag()}"),
        Download("a release whose manifest is garbage", (_, f) => File.WriteAllText(Path.Combine(f, Manifest.FileName), "{ not json"),
            b => Path.Combine(b.Workspace, "releases", StoreSetup.Tag(), Manifest.FileName)),
        Download("a manifest that points outside with ../", (_, f) => StoreSetup.Manifest(f, "s1", ["model.bin"], [new ManifestFile("../../../decoy/thesis.txt", new string('0', 64), 1)]),
            _ => "'../../../decoy/thesis.txt' is not a plain relative path"),
        Download("a manifest that names an absolute path", (_, f) => StoreSetup.Manifest(f, "s1", ["model.bin"], [new ManifestFile("/etc/passwd", new string('0', 64), 1)]),
            _ => "'/etc/passwd' is not a plain relative path"),
        Download("a manifest of another format", (_, f) => File.WriteAllText(Path.Combine(f, Manifest.FileName),
            File.ReadAllText(Path.Combine(f, Manifest.FileName)).Replace(Manifest.CurrentFormat, "steelci.manifest/99")), _ => "steelci.manifest/99"),
        Download("a release file replaced by a link to the user's file", (b, f) =>
        {
            File.Delete(Path.Combine(f, "metrics.json"));
            File.CreateSymbolicLink(Path.Combine(f, "metrics.json"), Path.Combine(b.Decoy, "thesis.txt"));
        }, b => Path.Combine(b.Workspace, "releases", StoreSetup.Tag(), "metrics.json")),
        new("releases", "--output is a file", 2, b => ["download", b.Spec, "--release", StoreSetup.Tag(), "--output", Path.Combine(b.Decoy, "thesis.txt")],
            b => $"--output {Path.Combine(b.Decoy, "thesis.txt")} is a file")
        {
            Setup = b => StoreSetup.Release(b),
        },
        new("releases", "a sound release downloads (the control case)", 0,
            b => ["download", b.Spec, "--release", StoreSetup.Tag(), "--output", Path.Combine(b.Work, "out")], _ => "2 files verified")
        {
            Setup = b => StoreSetup.Release(b),
            MayWrite = b => [Path.Combine(b.Work, "out")],
        },
    ];
}
