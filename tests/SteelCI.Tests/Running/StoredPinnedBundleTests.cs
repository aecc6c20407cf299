using Microsoft.Extensions.Time.Testing;
using SteelCI.Contracts;
using SteelCI.Hashing;
using SteelCI.Local;
using SteelCI.Ports;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>
/// A pinned trainer bundle is kept where the state and releases are kept (issue 14 item 5), so a runner that keeps
/// nothing — every GitHub Actions job — gets the pinned bundle back after a commit that changes the trainer, instead of
/// failing on a rebuild with another hash. The stores are the real local store and state file; the "build" is
/// <see cref="SourcePackager"/>, whose bundle hash is computed from its files as the publisher computes it, so a
/// changed source honestly builds another hash.
/// </summary>
public sealed class StoredPinnedBundleTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        datasets:
          data: { generate: { entry: make } }
        stages:
          a1: { entry: fit, inputs: [data], budget: { epochs: 3 } }
          final: { entry: combine, inputs: [a1, data], params: { k: "1" } }
        """;

    private readonly TempDirectory _dir = new("stored-pin");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingReporter _reporter = new();
    private readonly FileStateStore _state;
    private readonly ScriptedBackend _backend;

    public StoredPinnedBundleTests()
    {
        _state = new FileStateStore(_dir.Combine("state"));
        _backend = new ScriptedBackend(_dir.Combine("attempts"));
    }

    public void Dispose() => _dir.Dispose();

    private string Releases => _dir.Combine("releases");

    private Pipeline Pipeline(string k) => PipelineResolver.Resolve(SpecLoader.Parse(Yaml.Replace("k: \"1\"", $"k: \"{k}\""), _dir.Combine("steelci.yml")),
        _dir.Combine("steelci.yml"), new PipelineOptions());

    private Task<RunSummary> TickAsync(SourcePackager packager, string k) =>
        new PipelineRunner(_backend, new LocalArtifactStore(Releases, _time), _state, packager, _reporter, _time,
            new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc")).RunAsync(Pipeline(k), new RunRequest(), default);

    /// <summary>Workspace A runs to the end, pins its bundle, and one more run that starts work stores the bundle.</summary>
    private async Task<string> PinnedAndStoredInWorkspaceAAsync()
    {
        var a = new SourcePackager(_dir.Combine("ws-a"), "trainer v1", _backend);
        Assert.True((await TickAsync(a, "1")).Succeeded);
        var state = (await _state.LoadAsync(default))!;
        state.TrainerPin = state.TrainerHash;
        await _state.SaveAsync(state, default);
        Assert.True((await TickAsync(a, "2")).Succeeded); // new work needs the bundle: kept in A, so stored
        Assert.Contains(_reporter.Lines, l => l.StartsWith("Stored the pinned trainer bundle", StringComparison.Ordinal));
        return state.TrainerPin!;
    }

    [Fact]
    public async Task A_fresh_workspace_whose_trainer_builds_another_hash_gets_the_pinned_bundle_from_the_store_and_rekeys_nothing()
    {
        var pin = await PinnedAndStoredInWorkspaceAAsync();
        var stored = Path.Combine(Releases, StoredTrainerBundles.Tag(pin));
        Assert.Equal("trainer v1", File.ReadAllText(Path.Combine(stored, "bundle", "Trainer.dll")));
        var storedAt = Directory.GetLastWriteTimeUtc(stored);
        var keys = (await _state.LoadAsync(default))!.Stages.ToDictionary(s => s.Key, s => s.Value.ContentKey);
        var submitted = _backend.Submitted.Count;

        var b = new SourcePackager(_dir.Combine("ws-b"), "trainer v2", _backend); // a commit changed the trainer; B keeps no bundle
        Assert.NotEqual(pin, b.HashOfCurrentSource());
        _reporter.Lines.Clear();
        Assert.True((await TickAsync(b, "3")).Succeeded);

        Assert.Equal(0, b.Built); // not rebuilt: the store's copy was used
        Assert.Contains(_reporter.Lines, l => l.Contains($"using the copy stored as release {StoredTrainerBundles.Tag(pin)} (verified)"));
        var final = _backend.Configs[_backend.Submitted[^1].Slug];
        Assert.Equal(("final", pin), (final.Stage, final.TrainerHash));
        Assert.Equal(submitted + 1, _backend.Submitted.Count); // only the stage whose params changed ran
        var state = (await _state.LoadAsync(default))!;
        Assert.Equal(keys["data"], state.Stages["data"].ContentKey);
        Assert.Equal(keys["a1"], state.Stages["a1"].ContentKey);
        Assert.Equal("trainer v1", File.ReadAllText(Path.Combine(b.Workspace, "trainer", "bundles", pin[..12], "Trainer.dll")));

        _reporter.Lines.Clear();
        Assert.True((await TickAsync(new SourcePackager(_dir.Combine("ws-a"), "trainer v1", _backend), "4")).Succeeded); // A keeps it: finds it stored
        Assert.Contains($"The pinned trainer bundle {pin[..12]} is stored as release {StoredTrainerBundles.Tag(pin)} in {Releases}", _reporter.Lines);
        Assert.Equal(storedAt, Directory.GetLastWriteTimeUtc(stored)); // stored once: nothing uploaded again
        Assert.Single(Directory.EnumerateDirectories(Releases, "steelci-trainer-bundle-*"));
        // No pipeline's stage tag can be read from it, so prune and the stage lookups never take it for theirs.
        Assert.Null(ReleaseTag.TryParse("steelci", StoredTrainerBundles.Tag(pin)));
        Assert.Null(ReleaseTag.TryParse("steelci-trainer", StoredTrainerBundles.Tag(pin)));
    }

    [Fact]
    public async Task A_tampered_stored_bundle_is_refused_naming_the_release_and_the_file_and_nothing_starts()
    {
        var pin = await PinnedAndStoredInWorkspaceAAsync();
        var file = Path.Combine(Releases, StoredTrainerBundles.Tag(pin), "bundle", "Trainer.dll");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(file, "trainer v1 with a backdoor");
        var submitted = _backend.Submitted.Count;
        _reporter.Lines.Clear();

        var b = new SourcePackager(_dir.Combine("ws-b"), "trainer v2", _backend);
        var error = await Assert.ThrowsAsync<TrainerPinException>(() => TickAsync(b, "3"));

        Assert.Contains($"pinned at {pin}", error.Message);
        Assert.Contains($"release {StoredTrainerBundles.Tag(pin)} does not verify", error.Message);
        Assert.Contains("bundle/Trainer.dll", error.Message);
        Assert.Contains("builds to " + b.HashOfCurrentSource(), error.Message);
        Assert.Contains(_reporter.Lines, l => l.StartsWith("stored trainer bundle refused: release", StringComparison.Ordinal));
        Assert.Equal(submitted, _backend.Submitted.Count);
        Assert.False(Directory.Exists(Path.Combine(b.Workspace, "trainer", "bundles", pin[..12])));
    }

    [Fact]
    public async Task A_stored_bundle_whose_files_do_not_hash_to_the_pin_is_refused_even_when_its_manifest_matches()
    {
        var pin = await PinnedAndStoredInWorkspaceAAsync();
        // Rewrite the release consistently (file and manifest): the store's own check passes, the bundle hash does not.
        var release = Path.Combine(Releases, StoredTrainerBundles.Tag(pin));
        foreach (var (_, full) in Sha256.FilesUnder(release))
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(release, "bundle", "Trainer.dll"), "trainer v2");
        var manifestPath = Path.Combine(release, Manifest.FileName);
        var manifest = Json.Read<Manifest>(manifestPath);
        manifest = manifest with
        {
            Files = manifest.Files.Select(f => f.Path == "bundle/Trainer.dll"
                ? new ManifestFile(f.Path, Sha256.OfFile(Path.Combine(release, "bundle", "Trainer.dll")), new FileInfo(Path.Combine(release, "bundle", "Trainer.dll")).Length)
                : f).ToList(),
        };
        File.WriteAllText(manifestPath, Json.Serialize(manifest));
        _reporter.Lines.Clear();

        var b = new SourcePackager(_dir.Combine("ws-b"), "trainer v3", _backend);
        var error = await Assert.ThrowsAsync<TrainerPinException>(() => TickAsync(b, "3"));

        Assert.Contains($"release {StoredTrainerBundles.Tag(pin)}: the files under bundle/ hash to", error.Message);
        Assert.Equal(1, b.Built);
    }

    [Fact]
    public async Task A_fresh_workspace_that_builds_the_pinned_hash_stores_it_when_the_store_has_none()
    {
        var a = new SourcePackager(_dir.Combine("ws-a"), "trainer v1", _backend);
        Assert.True((await TickAsync(a, "1")).Succeeded);
        var state = (await _state.LoadAsync(default))!;
        state.TrainerPin = state.TrainerHash;
        await _state.SaveAsync(state, default);

        var b = new SourcePackager(_dir.Combine("ws-b"), "trainer v1", _backend); // same sources, nothing kept, store empty
        Assert.True((await TickAsync(b, "2")).Succeeded);

        Assert.Equal(1, b.Built);
        Assert.Contains(_reporter.Lines, l => l.Contains($"has no release {StoredTrainerBundles.Tag(state.TrainerPin!)}"));
        Assert.True(File.Exists(Path.Combine(Releases, StoredTrainerBundles.Tag(state.TrainerPin!), "bundle", StoredTrainerBundles.InfoFile)));
    }

    /// <summary>
    /// A packager whose "build" writes a bundle folder from a source text into {workspace}/trainer/bundles/{hash12}, with
    /// the bundle hash computed from its files as the publisher does (every file but steelci-bundle.json): other sources,
    /// another hash. It keeps and adopts bundles in its own workspace only, like the real packager.
    /// </summary>
    private sealed class SourcePackager(string workspace, string source, ScriptedBackend backend) : IKernelPackager
    {
        public string Workspace => workspace;
        public int Built { get; private set; }
        private string Bundles => Path.Combine(workspace, "trainer", "bundles");

        public string HashOfCurrentSource()
        {
            var probe = Path.Combine(workspace, "probe");
            WriteFiles(probe);
            var hash = StoredTrainerBundles.HashOf(probe);
            Directory.Delete(probe, recursive: true);
            return hash;
        }

        private void WriteFiles(string folder)
        {
            Directory.CreateDirectory(Path.Combine(folder, "runtimes"));
            File.WriteAllText(Path.Combine(folder, "Trainer.dll"), source);
            File.WriteAllText(Path.Combine(folder, "runtimes", "libtorch.so"), "native library");
        }

        public Task<TrainerBundle> PrepareTrainerAsync(Pipeline pipeline, CancellationToken cancellationToken)
        {
            Built++;
            var publish = Path.Combine(workspace, "publish");
            if (Directory.Exists(publish))
                Directory.Delete(publish, recursive: true);
            WriteFiles(publish);
            var hash = StoredTrainerBundles.HashOf(publish);
            var bundle = Path.Combine(Bundles, hash[..12]);
            if (!Directory.Exists(bundle))
            {
                Files.FolderCopy.CopyTree(publish, bundle);
                File.WriteAllText(Path.Combine(bundle, StoredTrainerBundles.InfoFile), $$"""{"hash":"{{hash}}"}""");
            }
            return Task.FromResult(new TrainerBundle(bundle, hash));
        }

        public Task<TrainerBundle?> FindTrainerAsync(string hash, CancellationToken cancellationToken)
        {
            var bundle = Path.Combine(Bundles, hash[..12]);
            return Task.FromResult(Directory.Exists(bundle) ? new TrainerBundle(bundle, hash) : null);
        }

        public Task<TrainerBundle> AdoptTrainerAsync(string directory, string hash, CancellationToken cancellationToken)
        {
            var bundle = Path.Combine(Bundles, hash[..12]);
            Files.FolderCopy.CopyTree(directory, bundle);
            return Task.FromResult(new TrainerBundle(bundle, hash));
        }

        public KernelPackage Package(string slug, StageConfig config, TrainerBundle bundle, IReadOnlyList<KernelSource> sources,
            string accelerator, TimeSpan sessionLimit)
        {
            backend.Configs[slug] = config;
            return new KernelPackage(slug, bundle.Directory, "launcher.py", sources, accelerator, sessionLimit);
        }
    }
}
