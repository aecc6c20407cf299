using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>
/// Issue 20 item 6: a job killed mid-stage (scancel) on the real Slurm is resumed from its checkpoint by the next
/// tick. The stage checkpoints every few steps (checkpoint_minutes), so the attempt's folder on the shared file system
/// holds a whole partial output when the job is killed; the tick that sees the job lost publishes that checkpoint and
/// starts the next attempt from it instead of epoch 0.
/// </summary>
[Collection(RealSlurmCollection.Name)]
public sealed class KilledJobTests(LocalSlurm slurm) : IDisposable
{
    private readonly TempDirectory _dir = new("slurm-kill");

    [Fact]
    public async Task A_job_killed_mid_stage_is_resumed_from_its_checkpoint_by_the_next_tick()
    {
        var shared = _dir.Combine("shared");
        var shipped = File.ReadAllText(Repository.File("kernels", "severstal", "steelci.yml"));
        var cut = Regex.Replace(shipped, @"(?m)^  (eda|multilabel|seg1|seg2|seg3|seg4|submission|demo):\n(    .*\n)+", "");
        cut = cut[..cut.IndexOf("\n  bench:\n", StringComparison.Ordinal)] + "\n";
        cut = cut.Replace("lr_schedule: constant } }\n", "lr_schedule: constant } }\n      binary: { epochs: 30, params: { checkpoint_minutes: 0.001 } }\n");
        var spec = _dir.Write("steelci.yml", cut
            .Replace("trainer/Severstal.Trainer.csproj", Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj"))
            .Replace("rest_url: http://127.0.0.1:6820", $"rest_url: {slurm.RestUrl}")
            .Replace("shared_dir: /tmp/steelci-slurm/shared", $"shared_dir: {shared}")
            .Replace("time_limit_minutes: 120", $"time_limit_minutes: {LocalSlurm.PartitionMinutes}"));
        Assert.Contains("binary: { epochs: 30", File.ReadAllText(spec));
        var environment = new Dictionary<string, string?> { ["SLURM_JWT"] = slurm.Token, ["CI"] = "true" };
        var workspace = _dir.Combine("ws");
        string[] tick = ["tick", spec, "--profile", "ci", "--workspace", workspace, "--backend", "slurm"];
        string Attempts() => Path.Combine(shared, "attempts");
        string[] Binary() => Directory.Exists(Attempts()) ? Directory.GetDirectories(Attempts(), "severstal-binary-*").Order().ToArray() : [];

        // Ticks until the binary stage's job has written a checkpoint of at least one epoch.
        var first = "";
        Assert.True(await Eventually.Until(() =>
        {
            if (Binary().Length == 0)
            {
                var result = SteelciProcess.Run(environment, TimeSpan.FromMinutes(3), tick);
                Assert.True(result.ExitCode == 0, result.Output);
                return false;
            }
            first = Binary()[0];
            var manifest = Path.Combine(first, "working", Manifest.FileName);
            return File.Exists(manifest) && JsonNode.Parse(File.ReadAllText(manifest))?["progress"]?["epochsDone"]?.GetValue<int>() >= 1;
        }, TimeSpan.FromMinutes(6), TimeSpan.FromMilliseconds(200)), "the binary stage never wrote a checkpoint");
        var job = Path.GetFileName(first);
        await slurm.CancelAsync($"--name={job}");
        // scancel only asks: the tick must find the job ended, as a tick minutes later would.
        Assert.True(await Eventually.Until(async () => (await slurm.ControlAsync("--oneliner", "show", "job")).Split('\n')
            .Any(line => line.Contains($" JobName={job} ", StringComparison.Ordinal) && line.Contains(" JobState=CANCELLED ", StringComparison.Ordinal)),
            TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(200)), $"Slurm never showed {job} cancelled");

        // The next tick sees the job lost, keeps its checkpoint and starts a second attempt from it.
        var after = SteelciProcess.Run(environment, TimeSpan.FromMinutes(3), tick);
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.True(Regex.IsMatch(after.Output, "kept as severstal-binary-[0-9a-f]+-partial-e[0-9]{3}"), after.Output);
        Assert.Equal(2, Binary().Length);
        Assert.Single(Directory.GetDirectories(Path.Combine(workspace, "releases"), "severstal-binary-*-partial-e*"));

        // status names the resumed attempt's job and what Slurm says of it now (item 5).
        var status = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), ["status", spec, "--profile", "ci", "--workspace", workspace, "--json"]);
        Assert.True(status.ExitCode == 0, status.Output);
        var attempts = JsonNode.Parse(status.Output)!["stages"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "binary")!["attempts"]!.AsArray();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Matches("^[0-9]+$", a!["job"]!.GetValue<string>()));
        Assert.NotEqual(attempts[0]!["job"]!.GetValue<string>(), attempts[1]!["job"]!.GetValue<string>());
        Assert.Equal("lost", attempts[0]!["state"]!.GetValue<string>());
        Assert.Null(attempts[0]!["jobState"]); // ended: Slurm is asked only about active jobs
        if (attempts[1]!["state"]!.GetValue<string>() is "queued" or "running")
            Assert.Matches("^(PENDING|RUNNING|COMPLETING|COMPLETED|CONFIGURING)", attempts[1]!["jobState"]!.GetValue<string>());

        Assert.True(await Eventually.Until(() =>
        {
            var result = SteelciProcess.Run(environment, TimeSpan.FromMinutes(3), tick);
            Assert.True(result.ExitCode == 0, result.Output);
            return Directory.GetDirectories(Path.Combine(workspace, "releases"), "severstal-binary-*").Any(d => !d.Contains("-partial-"));
        }, TimeSpan.FromMinutes(6), TimeSpan.FromMilliseconds(200)), "the resumed attempt never finished");
        Assert.Equal(2, Binary().Length);
        var resumed = File.ReadAllText(Path.Combine(Binary()[1], SlurmBackend.LogFile));
        Assert.Matches("resuming (after|in) epoch", resumed);
        var release = Directory.GetDirectories(Path.Combine(workspace, "releases"), "severstal-binary-*").Single(d => !d.Contains("-partial-"));
        Assert.Equal(OutputStatus.Complete, ManifestVerifier.Verify(release).Status);
    }

    public void Dispose() => _dir.Dispose();
}
