using Microsoft.Extensions.Time.Testing;
using SteelCI.Contracts;
using SteelCI.Local;
using SteelCI.Running;
using SteelCI.Spec;
using SteelCI.State;
using SteelCI.Testing;

namespace SteelCI.Tests.Running;

/// <summary>
/// A release is reused only while its files match its manifest. One with a flipped byte, a cut-off or missing file, or
/// no manifest is set aside (kept, renamed .aside-*), the stage trains again and publishes the tag anew, and the state
/// never calls the stage complete on the damaged copy.
/// </summary>
public sealed class DamagedReleaseTests : IDisposable
{
    private const string Yaml = """
        version: 1
        name: pipe
        trainer: { project: t.csproj }
        datasets:
          data: { generate: { entry: make } }
        stages:
          a1: { entry: fit, inputs: [data] }
          final: { entry: combine, inputs: [a1, data] }
        """;

    private readonly TempDirectory _dir = new("damaged");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingReporter _reporter = new();

    public void Dispose() => _dir.Dispose();

    private string Releases => _dir.Combine("releases");

    private Pipeline Pipeline() => PipelineResolver.Resolve(SpecLoader.Parse(Yaml, _dir.Combine("steelci.yml")), _dir.Combine("steelci.yml"), new PipelineOptions());

    private async Task<(RunSummary Summary, ScriptedBackend Backend)> RunAsync(string attempts)
    {
        var backend = new ScriptedBackend(_dir.Combine(attempts));
        var runner = new PipelineRunner(backend, new LocalArtifactStore(Releases, _time), new FileStateStore(_dir.Combine("state")),
            new RecordingPackager(_dir.Path, backend), _reporter, _time, new RunnerOptions(TimeSpan.Zero, "0.1.0", "abc"));
        return (await runner.RunAsync(Pipeline(), new RunRequest(), default), backend);
    }

    private string ReleaseOf(string stage) => Directory.GetDirectories(Releases, $"pipe-{stage}-*").Single();

    private static void Writable(string file) => File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    public static TheoryData<string> Damages => new(["flipped byte", "cut off", "file deleted", "manifest deleted", "manifest garbage"]);

    [Theory, MemberData(nameof(Damages))]
    public async Task A_damaged_release_is_set_aside_and_its_stage_retrains(string damage)
    {
        await RunAsync("attempts1");
        var release = ReleaseOf("a1");
        var tag = Path.GetFileName(release);
        var manifest = Path.Combine(release, Manifest.FileName);
        var file = Path.Combine(release, ManifestVerifier.Verify(release).Files[0].Path);
        var original = File.ReadAllBytes(file);
        switch (damage)
        {
            case "flipped byte":
                Writable(file);
                var bytes = File.ReadAllBytes(file);
                bytes[bytes.Length / 2] ^= 0x01;
                File.WriteAllBytes(file, bytes);
                break;
            case "cut off":
                Writable(file);
                File.WriteAllBytes(file, original[..(original.Length / 2)]);
                break;
            case "file deleted":
                File.Delete(file);
                break;
            case "manifest deleted":
                File.Delete(manifest);
                break;
            case "manifest garbage":
                Writable(manifest);
                File.WriteAllText(manifest, "{ not json");
                break;
        }
        var damaged = Directory.GetFiles(release, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(release, f), File.ReadAllBytes);

        var (summary, backend) = await RunAsync("attempts2");

        Assert.True(summary.Succeeded);
        Assert.Equal(["a1"], backend.Submitted.Select(p => backend.Configs[p.Slug].Stage)); // final's key is unchanged: reused
        Assert.Equal(StageStatus.Complete, summary.Stages.Single(s => s.Name == "a1").Status);
        ManifestVerifier.Verify(ReleaseOf("a1")); // published anew, whole
        var aside = Directory.GetDirectories(Releases, $".aside-{tag}-*").Single();
        Assert.Equal(damaged.Keys.Order(), Directory.GetFiles(aside, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(aside, f)).Order());
        foreach (var (relative, content) in damaged)
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(aside, relative))); // kept as it was, for inspection
        Assert.Contains(_reporter.Lines, l => l.Contains($"release {tag} does not verify") && l.Contains(aside));
        var state = await new FileStateStore(_dir.Combine("state")).LoadAsync(default);
        Assert.Equal(tag, state!.Stages["a1"].Release);

        var (third, again) = await RunAsync("attempts3"); // the new copy is trusted: nothing retrains
        Assert.Empty(again.Submitted);
        Assert.All(third.Stages, s => Assert.Equal(StageStatus.Reused, s.Status));
    }

    [Fact]
    public async Task A_sound_release_is_reused_and_nothing_is_set_aside()
    {
        await RunAsync("attempts1");

        var (summary, backend) = await RunAsync("attempts2");

        Assert.Empty(backend.Submitted);
        Assert.All(summary.Stages, s => Assert.Equal(StageStatus.Reused, s.Status));
        Assert.Empty(Directory.GetDirectories(Releases, ".aside-*"));
    }
}
