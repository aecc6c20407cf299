using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.BadInput.Tests;

/// <summary>
/// The few cases that need the real trainer (profile ci, one workspace so the trainer is published once): a flipped
/// byte in a released file makes the next run set the release aside and retrain that stage; a corrupt JPEG given with
/// --data fails the stages that read it as the trainer's bad input, once each (never retried), naming the file.
/// </summary>
[Collection("trainer")]
public sealed class RealRunTests : IDisposable
{
    private readonly TempDirectory _dir = new("real");
    private readonly string _spec;

    public RealRunTests()
    {
        var shipped = Repository.File("kernels", "severstal", "steelci.yml");
        var trainer = Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj");
        _spec = _dir.Write("steelci.yml", File.ReadAllText(shipped).Replace("trainer/Severstal.Trainer.csproj", trainer));
    }

    private string Workspace => _dir.Combine("ws");
    private string Releases => Path.Combine(Workspace, "releases");

    public void Dispose() => _dir.Dispose();

    private SteelciProcess.Result Run(params string[] extra) => SteelciProcess.Run(new Dictionary<string, string?> { ["GITHUB_STEP_SUMMARY"] = null },
        TimeSpan.FromMinutes(20), ["run", _spec, "--profile", "ci", "--workspace", Workspace, .. extra]);

    private static string Squash(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", "");

    private string Release(string stage) => Directory.GetDirectories(Releases, $"severstal-{stage}-*").Single(d => !d.Contains("-partial-"));

    [Fact]
    public void A_flipped_byte_sets_the_release_aside_and_retrains_then_a_corrupt_image_is_bad_input_not_retried()
    {
        var first = Run();
        Assert.True(first.ExitCode == 0, first.Output);

        // 1. One byte of binary's weights flipped: the next run sets that release aside and trains binary again.
        var binary = Release("binary");
        var tag = Path.GetFileName(binary);
        var weights = Path.Combine(binary, ManifestVerifier.Verify(binary).Files.OrderByDescending(f => f.Bytes).First().Path);
        StoreSetup.FlipByte(weights, new FileInfo(weights).Length / 2);

        var second = Run();

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"release {tag} does not verify", second.Output);
        var aside = Directory.GetDirectories(Releases, $".aside-{tag}-*").Single();
        Assert.Throws<InvalidDataException>(() => ManifestVerifier.Verify(aside)); // kept as found
        ManifestVerifier.Verify(Release("binary"));
        Assert.Matches(@"\| binary\s+\| complete", second.Output);
        Assert.Matches(@"\| seg1\s+\| reused", second.Output);

        // 2. The generated data with one JPEG cut in half, given with --data: the stages that read it stop at that file.
        var data = _dir.Combine("data");
        var generated = Release("severstal");
        foreach (var file in Directory.EnumerateFiles(generated, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(Manifest.FileName)))
        {
            var target = Path.Combine(data, Path.GetRelativePath(generated, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var image = Directory.GetFiles(Path.Combine(data, "train_images"), "*.jpg").Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(image);
        File.WriteAllBytes(image, bytes[..(bytes.Length / 2)]);

        var third = Run("--data", data);

        Assert.True(third.ExitCode == 1, third.Output);
        var flat = Squash(third.Output); // the summary wraps long lines at the console's width
        Assert.True(flat.Contains(Squash($"{image}: truncated or corrupt JPEG"), StringComparison.Ordinal), third.Output);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(flat, "binaryfailed:.*badinput"), third.Output);
        Assert.False(flat.Contains("binaryfailed:binaryfailed", StringComparison.Ordinal), third.Output);
        Assert.DoesNotContain("   at ", third.Output);
        var state = Json.Read<SteelCI.State.RunState>(Path.Combine(Workspace, "state", "state.json"));
        Assert.Single(state.Stages["binary"].Attempts, a => a.StartedUtc >= state.StartedUtc); // not retried
    }
}
