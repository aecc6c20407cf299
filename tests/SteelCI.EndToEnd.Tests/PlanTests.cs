using SteelCI.Testing;

namespace SteelCI.EndToEnd.Tests;

[Collection("steelci")]
public sealed class PlanTests
{
    [Fact]
    public void Plan_prints_every_stage_on_the_accounts_and_writes_the_gantt_chart()
    {
        using var dir = new TempDirectory("plan");
        var chart = dir.Combine("plan.png");

        var plan = Steelci.Run("plan", Repository.File("kernels", "severstal", "steelci.yml"), "--account", "alice", "--account", "bob",
            "--workspace", dir.Combine("ws"), "--chart", chart);

        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("severstal (default) on 2 account(s)", plan.Output);
        foreach (var stage in new[] { "eda", "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission" })
            Assert.Matches($@"(?m)^{stage}\s+\d+ (alice|bob)\s+\d+(\.\d)?-\d+(\.\d)? of \d+", plan.Output); // epochs trained, from-to (tenths where a chunk ends inside an epoch)
        Assert.Matches(@"(?m)^alice\s+\d+\.\d\d h", plan.Output);
        Assert.Matches(@"(?m)^  seg1\s+estimate\s+\d+\.\d min  measured\s+- \(no collected session yet\)", plan.Output);
        var png = File.ReadAllBytes(chart);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(1600, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4))); // IHDR width
    }

    [Fact]
    public void Plan_of_stages_on_compute_any_places_them_on_the_accounts_and_the_slurm_cluster()
    {
        using var dir = new TempDirectory("plan-mixed");
        var spec = File.ReadAllText(Repository.File("kernels", "severstal", "steelci.yml"))
            .Replace("trainer/Severstal.Trainer.csproj", Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj"));
        for (var c = 1; c <= 4; c++)
            spec = spec.Replace($"  seg{c}:\n    entry: segment\n", $"  seg{c}:\n    entry: segment\n    compute: any\n");
        Assert.Equal(4, spec.Split("compute: any").Length - 1); // the edits took
        dir.Write("steelci.yml", spec);

        var plan = Steelci.Run("plan", dir.Combine("steelci.yml"), "--account", "alice", "--account", "bob", "--workspace", dir.Combine("ws"),
            "--chart", dir.Combine("plan.png"));

        Assert.True(plan.ExitCode == 0, plan.Output);
        // The file's cluster: job_limit 2, time_limit_minutes 120.
        Assert.Contains("severstal (default) on 2 account(s) and the Slurm cluster (2 GPU job(s), 2 h limit)", plan.Output);
        // With the four Kaggle sessions busy, a segmentation stage starts on the cluster at once; nothing else may go there.
        Assert.Matches(@"(?m)^seg\d\s+\d+ slurm\s+", plan.Output);
        Assert.DoesNotMatch(@"(?m)^(eda|binary|multilabel|submission|severstal)\s+\d+ slurm", plan.Output);
        Assert.Matches(@"(?m)^slurm\s+\d+\.\d\d h", plan.Output);
    }

    [Fact]
    public void Plan_actual_charts_the_recorded_attempts()
    {
        using var dir = new TempDirectory("actual");
        dir.Write("ws/state/state.json", """
            { "format": "steelci.state/1", "pipeline": "severstal", "runId": "r", "startedUtc": "2026-11-28T10:00:00Z",
              "stages": {
                "binary": { "contentKey": "k1", "status": "complete", "release": "severstal-binary-aaaaaaaaaaaa", "attempts": [
                  { "slug": "severstal-binary-aaaaaaaa-a1-00000", "number": 1, "backend": "kaggle", "account": "alice", "state": "complete",
                    "startedUtc": "2026-11-28T10:00:00Z", "endedUtc": "2026-11-28T12:30:00Z", "handle": { "version": "1" },
                    "release": "severstal-binary-aaaaaaaaaaaa" } ] },
                "seg3": { "contentKey": "k2", "status": "running", "attempts": [
                  { "slug": "severstal-seg3-bbbbbbbb-a1-00000", "number": 1, "backend": "kaggle", "account": "bob", "state": "complete",
                    "startedUtc": "2026-11-28T10:00:00Z", "endedUtc": "2026-11-28T21:50:00Z", "handle": { "version": "1" },
                    "release": "severstal-seg3-bbbbbbbbbbbb-partial-e016" },
                  { "slug": "severstal-seg3-bbbbbbbb-a2-00000", "number": 2, "backend": "kaggle", "account": "alice", "state": "running",
                    "startedUtc": "2026-11-28T22:00:00Z", "handle": { "version": "1" } } ] } } }
            """);
        var chart = dir.Combine("actual.png");

        var plan = Steelci.Run("plan", Repository.File("kernels", "severstal", "steelci.yml"), "--actual", "--workspace", dir.Combine("ws"), "--chart", chart);

        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("3 attempt(s) on 2 account(s)/backend(s)", plan.Output);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(chart)[..4]);
    }
}
