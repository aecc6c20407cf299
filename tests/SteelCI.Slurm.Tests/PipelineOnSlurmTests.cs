using System.Text.RegularExpressions;
using SteelCI.Contracts;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>
/// The shipped Severstal pipeline (profile ci) through the steelci executable on a real Slurm through slurmrestd:
/// a mixed run (two training stages on the cluster, the rest here) publishes a verified release for every stage,
/// then `--backend slurm` reuses them all without submitting a job.
/// </summary>
[Collection(RealSlurmCollection.Name)]
public sealed class PipelineOnSlurmTests(LocalSlurm slurm) : IDisposable
{
    private static readonly string[] Stages = ["severstal", "eda", "binary", "multilabel", "seg1", "seg2", "seg3", "seg4", "submission"];
    private readonly TempDirectory _dir = new("slurm-e2e");

    [Fact]
    public void A_mixed_pipeline_publishes_every_stage_and_a_slurm_rerun_reuses_them()
    {
        var shared = _dir.Combine("shared");
        var shipped = File.ReadAllText(Repository.File("kernels", "severstal", "steelci.yml"));
        var spec = _dir.Write("steelci.yml", shipped
            .Replace("trainer/Severstal.Trainer.csproj", Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj"))
            .Replace("rest_url: http://127.0.0.1:6820", $"rest_url: {slurm.RestUrl}")
            .Replace("shared_dir: /tmp/steelci-slurm/shared", $"shared_dir: {shared}")
            .Replace("time_limit_minutes: 120", $"time_limit_minutes: {LocalSlurm.PartitionMinutes}")
            .Replace("  binary:\n    entry: binary\n", "  binary:\n    entry: binary\n    compute: slurm\n")
            .Replace("  seg3:\n    entry: segment\n", "  seg3:\n    entry: segment\n    compute: slurm\n"));
        Assert.Equal(2, File.ReadAllText(spec).Split("compute: slurm").Length - 1); // the edits took
        var environment = new Dictionary<string, string?> { ["SLURM_JWT"] = slurm.Token, ["CI"] = "true" };
        var workspace = _dir.Combine("ws");

        var first = SteelciProcess.Run(environment, TimeSpan.FromMinutes(12), ["run", spec, "--profile", "ci", "--workspace", workspace]);
        Assert.True(first.ExitCode == 0, first.Output);
        foreach (var stage in Stages)
            Assert.Equal(stage, ManifestVerifier.Verify(Directory.GetDirectories(Path.Combine(workspace, "releases"), $"severstal-{stage}-*")
                .Single(d => !d.Contains("-partial-"))).Stage);
        var onCluster = Directory.GetDirectories(Path.Combine(shared, "attempts")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, onCluster.Count);
        Assert.StartsWith("severstal-binary-", onCluster[0]);
        Assert.StartsWith("severstal-seg3-", onCluster[1]);
        Assert.True(Directory.Exists(Path.Combine(workspace, "attempts")), "the local stages ran here");

        var logs = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), ["logs", "seg3", spec, "--workspace", workspace]);
        Assert.True(logs.ExitCode == 0, logs.Output);
        Assert.Contains("STEELCI-END status=complete", logs.Output); // the job's standard output, read from the shared folder
        Assert.Contains("device cpu (rung c): compute.slurm.cpu_fallback is true, so this gpu stage runs on the CPU", logs.Output); // the rehearsal has no CUDA

        var again = SteelciProcess.Run(environment, TimeSpan.FromMinutes(5), ["run", spec, "--profile", "ci", "--workspace", workspace, "--backend", "slurm"]);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(Stages.Length, again.Output.Split('\n').Count(l => l.Contains("reused release")));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(shared, "attempts")).Length);
    }

    /// <summary>
    /// The SSH route with a smaller pipeline than the REST test (the shipped one cut to its dataset, binary and seg3, all
    /// on the cluster): the whole pipeline twice over would double this project's time for no new path.
    /// </summary>
    [Fact]
    public void A_pipeline_runs_through_SSH_with_files_by_SFTP_and_a_rerun_reuses_every_stage()
    {
        // The shared folder as the login node sees it; steelci never reads it directly, only by SFTP.
        var shared = Path.Combine(slurm.Shared, "ssh-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var sshd = slurm.Sshd;
        var shipped = File.ReadAllText(Repository.File("kernels", "severstal", "steelci.yml"));
        var cut = Regex.Replace(shipped, @"(?m)^  (eda|multilabel|seg1|seg2|seg4|submission|demo):\n(    .*\n)+", "");
        cut = cut[..cut.IndexOf("\n  bench:\n", StringComparison.Ordinal)] + "\n";
        var spec = _dir.Write("steelci.yml", cut
            .Replace("trainer/Severstal.Trainer.csproj", Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj"))
            .Replace("rest_url: http://127.0.0.1:6820\n    user: root\n",
                $"ssh_host: root@127.0.0.1:{sshd.Port}\n    ssh_key: {sshd.ClientKey}\n    known_hosts: {sshd.KnownHosts}\n")
            .Replace("shared_dir: /tmp/steelci-slurm/shared", $"shared_dir: {shared}")
            .Replace("time_limit_minutes: 120", $"time_limit_minutes: {LocalSlurm.PartitionMinutes}"));
        Assert.Contains("ssh_host: root@127.0.0.1", File.ReadAllText(spec));
        Assert.DoesNotContain("  seg1:", File.ReadAllText(spec));
        var environment = new Dictionary<string, string?> { ["CI"] = "true", ["SLURM_JWT"] = null, ["COLUMNS"] = "250" };
        var workspace = _dir.Combine("ws");

        var doctor = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), ["doctor", spec, "--backend", "slurm", "--workspace", workspace]);
        Assert.True(doctor.ExitCode == 0, doctor.Output);
        var rows = DoctorRows(doctor.Output);
        Assert.StartsWith($"ssh root@127.0.0.1:{sshd.Port} (host key in", rows["ssh"].Detail);
        Assert.EndsWith("runs slurm-wlm 22.05.8", rows["ssh"].Detail);
        Assert.EndsWith("writable on the login node (SFTP)", rows["shared_dir"].Detail);
        Assert.StartsWith("rung c (on the login node, a GPU assumed; TorchSharp binds libtorch 2.10.0): compute.slurm.cpu_fallback is true", rows["gpu device"].Detail);

        string[] run = ["run", spec, "--profile", "ci", "--workspace", workspace, "--backend", "slurm"];
        var first = SteelciProcess.Run(environment, TimeSpan.FromMinutes(10), run);
        Assert.True(first.ExitCode == 0, first.Output);
        foreach (var stage in new[] { "severstal", "binary", "seg3" })
            Assert.Equal(stage, ManifestVerifier.Verify(Directory.GetDirectories(Path.Combine(workspace, "releases"), $"severstal-{stage}-*")
                .Single(d => !d.Contains("-partial-"))).Stage);
        var onCluster = Directory.GetDirectories(Path.Combine(shared, "attempts")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(3, onCluster.Count); // the dataset's generation, binary and seg3: each a job
        Assert.StartsWith("severstal-binary-", onCluster[0]);
        Assert.StartsWith("severstal-seg3-", onCluster[1]);
        Assert.StartsWith("severstal-severstal-", onCluster[2]);
        Assert.True(File.Exists(Path.Combine(shared, "attempts", onCluster[1]!, SlurmSshClient.ScriptFile)), "the job script went by SFTP");
        Assert.False(Directory.Exists(Path.Combine(workspace, "attempts")), "nothing ran here");

        var logs = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), ["logs", "seg3", spec, "--workspace", workspace]);
        Assert.True(logs.ExitCode == 0, logs.Output);
        Assert.Contains("STEELCI-END status=complete", logs.Output);

        var again = SteelciProcess.Run(environment, TimeSpan.FromMinutes(5), run);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(3, again.Output.Split('\n').Count(l => l.Contains("reused release")));
        Assert.Equal(3, Directory.GetDirectories(Path.Combine(shared, "attempts")).Length);
    }

    [Fact]
    public void Doctor_checks_the_token_the_API_version_the_partition_s_limit_and_the_rung_a_gpu_stage_takes()
    {
        var spec = _dir.Write("steelci.yml", File.ReadAllText(Repository.File("kernels", "severstal", "steelci.yml"))
            .Replace("trainer/Severstal.Trainer.csproj", Repository.File("kernels", "severstal", "trainer", "Severstal.Trainer.csproj"))
            .Replace("rest_url: http://127.0.0.1:6820", $"rest_url: {slurm.RestUrl}")
            .Replace("shared_dir: /tmp/steelci-slurm/shared", $"shared_dir: {_dir.Combine("shared")}"));
        var environment = new Dictionary<string, string?> { ["SLURM_JWT"] = slurm.Token, ["CI"] = "true", ["COLUMNS"] = "250" };
        string[] doctorArgs = ["doctor", spec, "--backend", "slurm", "--workspace", _dir.Combine("ws")];
        var doctor = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), doctorArgs);
        var found = DoctorRows(doctor.Output);
        Assert.Contains("speaks v0.0.38, Slurm 22.05.8", found["slurmrestd"].Detail);
        Assert.StartsWith($"debug allows {LocalSlurm.PartitionMinutes} min, compute.slurm.time_limit_minutes is 120", found["partition"].Detail);
        // The rung a gpu stage would take, by the launcher's own ladder run here (the shared folder is mounted here):
        // the rehearsal has no CUDA, no compute.slurm.libtorch and no staged runtime, and allows the CPU.
        var device = found["gpu device"];
        Assert.Equal("warn", device.Level);
        Assert.StartsWith("rung c (here, a GPU assumed; TorchSharp binds libtorch 2.10.0): compute.slurm.cpu_fallback is true, so this gpu stage " +
                          "runs on the CPU (the node's torch (python3) cannot be used (ModuleNotFoundError: No module named 'torch'); no pinned CUDA " +
                          "runtime is attached (stage one with `steelci slurm runtime` into compute.slurm.shared_dir))", device.Detail);

        // The pinned runtime (a stand-in of the folder prepare_runtime.py leaves), staged once by `steelci slurm runtime`: then rung b.
        _dir.Write("runtime/steelci-runtime.json", """{"format":"steelci.runtime/1","libtorch":"2.10.0","torch":"2.10.0+cu128","cuda":"12.8","lib":"lib"}""");
        _dir.Write("runtime/lib/libtorch_cuda.so", "stand-in");
        string[] stage = ["slurm", "runtime", spec, "--from", _dir.Combine("runtime"), "--workspace", _dir.Combine("ws")];
        var staged = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), stage);
        Assert.True(staged.ExitCode == 0, staged.Output);
        Assert.Contains("pinned CUDA runtime (libtorch 2.10.0, CUDA 12.8) staged: ", staged.Output);
        Assert.Contains("is staged already", SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), stage).Output);
        var withRuntime = SteelciProcess.Run(environment, TimeSpan.FromMinutes(2), doctorArgs);
        var rungB = DoctorRows(withRuntime.Output)["gpu device"];
        Assert.Equal("ok", rungB.Level);
        Assert.StartsWith("rung b (here, a GPU assumed; TorchSharp binds libtorch 2.10.0): the pinned CUDA runtime: libtorch 2.10.0 (CUDA 12.8) matches libtorch 2.10.0", rungB.Detail);
        Assert.NotEqual(0, doctor.ExitCode);
    }

    /// <summary>doctor's table as check → (level, detail), each wrapped cell joined back into one line (the columns' widths vary with the rows).</summary>
    private static Dictionary<string, (string Level, string Detail)> DoctorRows(string output)
    {
        var rows = new List<(string Check, string Level, string Detail)>();
        foreach (var line in output.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray(); // "", area, check, level, detail, fix, ""
            if (cells.Length < 6 || cells[1] == "area")
                continue;
            if (cells[1].Length == 0 && rows.Count > 0)
                rows[^1] = rows[^1] with { Detail = rows[^1].Detail + " " + cells[4] };
            else
                rows.Add((cells[2], cells[3], cells[4]));
        }
        return rows.ToDictionary(r => r.Check, r => (r.Level, r.Detail));
    }

    public void Dispose() => _dir.Dispose();
}
