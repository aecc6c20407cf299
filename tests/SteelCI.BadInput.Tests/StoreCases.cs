using SteelCI.Ports;
using SteelCI.Contracts;
using SteelCI.Local;
using SteelCI.Testing;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// The local store, in process: a release that does not match its manifest is never returned for reuse; it is set
/// aside (renamed .aside-*, bytes kept) and the tag can be published again; what an interrupted publish left is
/// removed; a folder without a manifest (never a release) no longer blocks publishing the tag forever.
/// </summary>
public sealed class StoreCases
{
    private static readonly Dictionary<string, Action<string>> Damages = new()
    {
        ["a flipped byte"] = f => StoreSetup.FlipByte(Path.Combine(f, "model.bin")),
        ["a flipped byte in the last byte"] = f => StoreSetup.FlipByte(Path.Combine(f, "model.bin"), 4095),
        ["a file cut short"] = f => StoreSetup.Truncate(Path.Combine(f, "model.bin"), 4000),
        ["a file grown by one byte"] = f => { StoreSetup.Truncate(Path.Combine(f, "model.bin"), 4097); },
        ["a file deleted"] = f => File.Delete(Path.Combine(f, "metrics.json")),
        ["the manifest deleted"] = f => File.Delete(Path.Combine(f, Manifest.FileName)),
        ["the manifest emptied"] = f => File.WriteAllText(Path.Combine(f, Manifest.FileName), ""),
        ["the manifest garbage"] = f => File.WriteAllText(Path.Combine(f, Manifest.FileName), "\u0000\u0001 not json"),
        ["a manifest entry that escapes with ../"] = f => StoreSetup.Manifest(f, "s1", ["model.bin"], [new ManifestFile("../x", new string('0', 64), 1)]),
        ["a manifest entry with an absolute path"] = f => StoreSetup.Manifest(f, "s1", ["model.bin"], [new ManifestFile("/etc/hostname", new string('0', 64), 1)]),
        ["a file replaced by a link"] = f =>
        {
            File.Delete(Path.Combine(f, "metrics.json"));
            File.CreateSymbolicLink(Path.Combine(f, "metrics.json"), "/etc/hostname");
        },
    };

    public static int Count => Damages.Count + 3;

    public static TheoryData<string> Cases => new(Damages.Keys);

    [Theory, MemberData(nameof(Cases))]
    public async Task A_damaged_release_is_set_aside_kept_and_never_returned(string damage)
    {
        using var box = new Sandbox();
        var folder = StoreSetup.Release(box);
        Damages[damage](folder);
        var before = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order().ToList();
        var store = new LocalArtifactStore(Path.Combine(box.Workspace, "releases"), TimeProvider.System);
        var heard = new List<string>();

        Assert.Null(await store.FindVerifiedAsync(StoreSetup.Tag(), heard.Add, default));

        Assert.False(Directory.Exists(folder));
        var aside = Directory.GetDirectories(Path.Combine(box.Workspace, "releases"), $".aside-{StoreSetup.Tag()}-*").Single();
        Assert.Equal(before, Directory.GetFileSystemEntries(aside, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(aside, p)).Order());
        Assert.Contains(aside, Assert.Single(heard));
        Assert.Empty(await store.ListAsync("tiny-", default)); // never listed, never pruned by mistake, never reused
    }

    [Fact]
    public async Task A_folder_without_a_manifest_is_set_aside_when_the_stage_publishes_again()
    {
        using var box = new Sandbox();
        var folder = StoreSetup.Release(box);
        File.Delete(Path.Combine(folder, Manifest.FileName));
        var output = box.Write("out/model.bin", "new weights");
        box.Write("out/metrics.json", "{}");
        StoreSetup.Manifest(Path.GetDirectoryName(output)!, "s1", ["model.bin", "metrics.json"]);
        var store = new LocalArtifactStore(Path.Combine(box.Workspace, "releases"), TimeProvider.System);

        var published = await store.PublishAsync(StoreSetup.Tag(), Path.GetDirectoryName(output)!, replace: false, default);

        Assert.Equal("new weights", File.ReadAllText(Path.Combine(published.Location, "model.bin")));
        Assert.NotNull(await store.FindVerifiedAsync(StoreSetup.Tag(), _ => { }, default));
        Assert.Single(Directory.GetDirectories(Path.Combine(box.Workspace, "releases"), ".aside-*"));
    }

    [Fact]
    public async Task What_an_interrupted_publish_left_is_removed_and_set_aside_releases_are_kept()
    {
        using var box = new Sandbox();
        StoreSetup.Release(box);
        var releases = Path.Combine(box.Workspace, "releases");
        box.Write(".steelci/releases/.staging-0123/model.bin", "half");
        box.Write(".steelci/releases/.trash-0123/model.bin", "old");
        box.Write($".steelci/releases/.aside-{StoreSetup.Tag()}-20261130-100000-abcdef/model.bin", "damaged, kept");
        var store = new LocalArtifactStore(releases, TimeProvider.System);

        await store.RecoverAsync(default);

        Assert.Equal([$".aside-{StoreSetup.Tag()}-20261130-100000-abcdef", StoreSetup.Tag()],
            Directory.GetDirectories(releases).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_sound_release_is_returned_and_nothing_is_moved()
    {
        using var box = new Sandbox();
        var folder = StoreSetup.Release(box);
        var store = new LocalArtifactStore(Path.Combine(box.Workspace, "releases"), TimeProvider.System);

        var found = await store.FindVerifiedAsync(StoreSetup.Tag(), line => Assert.Fail(line), default);

        Assert.Equal(folder, found!.Location);
        Assert.Empty(Directory.GetDirectories(Path.Combine(box.Workspace, "releases"), ".aside-*"));
    }
}
