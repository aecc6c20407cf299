using System.Globalization;
using Renci.SshNet;
using SteelCI.Ports;
using SteelCI.Slurm.Ssh;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>
/// The SSH route against a real sshd (the login node) and the real local Slurm: sbatch, scontrol, scancel over SSH,
/// inputs and outputs by SFTP into a shared folder this test reads only through the backend. Host keys: an unknown
/// one and a changed one are refused with the fix; the known one is accepted.
/// </summary>
[Collection(RealSlurmCollection.Name)]
public sealed class SshSlurmTests(LocalSlurm slurm) : IDisposable
{
    private readonly List<SshSession> _sessions = [];
    private readonly string _remote = Path.Combine(slurm.Shared, "ssh-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TempDirectory _here = new("slurm-ssh");

    private SshSession Session(string? knownHosts = null)
    {
        var session = new SshSession(slurm.Sshd.Settings(knownHosts), _ => null, info => new SshClient(info), info => new SftpClient(info));
        _sessions.Add(session);
        return session;
    }

    private SlurmBackend Backend()
    {
        var session = Session();
        var files = new SftpClusterFiles(session);
        return new SlurmBackend(new SlurmSshClient(session, files), files, slurm.Options(_remote) with { LocalDir = _here.Combine("collected") });
    }

    private KernelPackage Package(string slug, string launcher, string accelerator = "cpu")
    {
        var kernel = Directory.CreateDirectory(_here.Combine("kernels", slug)).FullName;
        File.WriteAllText(Path.Combine(kernel, "launcher.py"), launcher);
        var data = _here.Write("data/values.txt", "41\n");
        return new KernelPackage(slug, kernel, "launcher.py", [new KernelSource("numbers", Path.GetDirectoryName(data)!, "ssh-key-1")], accelerator, TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task A_gpu_job_runs_over_SSH_with_its_files_moved_by_SFTP()
    {
        var backend = Backend();
        var launcher = """
            import os
            root, out = os.environ["STEELCI_INPUT_ROOT"], os.environ["STEELCI_WORKING_DIR"]
            value = int(open(os.path.join(root, "numbers", "values.txt")).read()) + 1
            os.makedirs(os.path.join(out, "nested"))
            open(os.path.join(out, "nested", "result.txt"), "w").write(f"{value} gpu={os.environ.get('CUDA_VISIBLE_DEVICES', 'none')} session={os.environ['STEELCI_SESSION_SECONDS']}\n")
            print("STEELCI-END status=complete manifest-sha256=none", flush=True)
            """;
        var handle = await backend.SubmitAsync(Package("ssh-gpu", launcher, accelerator: "gpu"), CancellationToken.None);
        Assert.StartsWith(_remote, handle.Data["directory"]);
        Assert.Equal(AttemptState.Complete, (await Jobs.EndedAsync(backend, handle)).State);
        var output = await backend.CollectAsync(handle, CancellationToken.None);
        Assert.StartsWith(_here.Combine("collected"), output.Directory); // a copy made by SFTP, not the shared folder itself
        Assert.Equal("42 gpu=0 session=600", File.ReadAllText(Path.Combine(output.Directory, "nested", "result.txt")).Trim());
        Assert.Contains("STEELCI-END status=complete", output.Log);
        Assert.Equal("linked", new FileInfo(Path.Combine(handle.Data["directory"], "input", "numbers")).LinkTarget is { } target && target.EndsWith("/inputs/ssh-key-1", StringComparison.Ordinal) ? "linked" : "not linked");
    }

    [Fact]
    public async Task Follow_prints_the_log_over_SSH_as_it_grows_until_the_job_ends()
    {
        var session = Session();
        var files = new SftpClusterFiles(session);
        var backend = new SlurmBackend(new SlurmSshClient(session, files), files, slurm.Options(_remote) with { LocalDir = _here.Combine("collected") });
        // The job prints, then waits for a file the test writes (the job's state, not a clock, decides when it ends).
        var launcher = """
            import os, time
            print("first line", flush=True)
            go = os.path.join(os.environ["STEELCI_WORKING_DIR"], "go")
            while not os.path.exists(go):
                time.sleep(0.1)
            print("second line", flush=True)
            print("STEELCI-END status=complete manifest-sha256=none", flush=True)
            """;
        var handle = await backend.SubmitAsync(Package("ssh-follow", launcher), CancellationToken.None);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var output = new StringWriter();
        var writer = TextWriter.Synchronized(output); // the follower writes from its own task
        string Text()
        {
            lock (writer) // SyncTextWriter's methods lock the writer itself
                return output.ToString();
        }
        var following = new SlurmLogFollower(backend, files, time, TimeSpan.FromSeconds(5)).FollowAsync(handle, writer, CancellationToken.None);

        // Each fake poll interval is one round: the first line arrives while the job still runs.
        Assert.True(await Eventually.Until(() => { time.Advance(TimeSpan.FromSeconds(5)); return Text().Contains("first line"); },
            TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100)), Text());
        Assert.False(following.IsCompleted, "still following while the job runs");
        File.WriteAllText(Path.Combine(handle.Data["directory"], "working", "go"), "");
        Assert.True(await Eventually.Until(() => { time.Advance(TimeSpan.FromSeconds(5)); return following.IsCompleted; },
            TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100)), Text());

        Assert.Equal(AttemptState.Complete, (await following).State);
        var text = Text();
        Assert.Equal(1, text.Split("first line").Length - 1); // each byte once, across rounds
        Assert.Contains("second line", text);
        Assert.EndsWith("STEELCI-END status=complete manifest-sha256=none", text.TrimEnd());
    }

    [Fact]
    public async Task A_failing_job_and_a_cancelled_one_read_rightly_over_SSH()
    {
        var backend = Backend();
        var fails = await backend.SubmitAsync(Package("ssh-fails", "import sys\nsys.exit(4)\n"), CancellationToken.None);
        var waits = await backend.SubmitAsync(Package("ssh-waits", "import time\nprint('started', flush=True)\ntime.sleep(600)\n"), CancellationToken.None);
        var failed = await Jobs.EndedAsync(backend, fails);
        Assert.Equal(AttemptState.Error, failed.State);
        Assert.Contains("FAILED with exit code 4", failed.Detail);
        await Jobs.EndedAsync(backend, waits, s => s.State == AttemptState.Running);
        await backend.StopAsync(waits, CancellationToken.None);
        var cancelled = await Jobs.EndedAsync(backend, waits);
        Assert.Equal(AttemptState.Lost, cancelled.State);
        Assert.Contains("CANCELLED", cancelled.Detail);
        await backend.StopAsync(waits, CancellationToken.None); // twice: already gone is fine
    }

    [Fact]
    public async Task The_client_reads_the_version_the_partition_limit_and_a_job_Slurm_forgot()
    {
        var session = Session();
        var client = new SlurmSshClient(session, new SftpClusterFiles(session));
        Assert.Contains("22.05.8", await client.DescribeAsync(CancellationToken.None));
        Assert.Equal(LocalSlurm.PartitionMinutes, await client.PartitionLimitAsync(LocalSlurm.PartitionName, CancellationToken.None));
        Assert.Null(await client.GetJobAsync(999999, CancellationToken.None));
        var error = await Assert.ThrowsAsync<SlurmException>(() => client.PartitionLimitAsync("nope", CancellationToken.None));
        Assert.Contains("knows no partition nope", error.Message);
    }

    [Fact]
    public async Task An_unknown_host_key_is_refused_with_the_keyscan_line()
    {
        var knownHosts = _here.Write("known_hosts", "# nothing yet\n");
        var session = Session(knownHosts);
        var error = await Assert.ThrowsAsync<SlurmException>(() => new SlurmSshClient(session, new SftpClusterFiles(session)).DescribeAsync(CancellationToken.None));
        var port = slurm.Sshd.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"the host key of [127.0.0.1]:{port} (ssh-ed25519 SHA256:", error.Message);
        Assert.Contains($"is not in {knownHosts}", error.Message);
        Assert.Contains($"ssh-keyscan -p {port} 127.0.0.1 >> {knownHosts}", error.Message);
        Assert.Throws<SlurmException>(() => new SftpClusterFiles(Session(knownHosts)).Exists("/")); // SFTP refuses it too
    }

    [Fact]
    public async Task A_changed_host_key_is_refused_naming_both_fingerprints()
    {
        var other = await slurm.Sshd.OtherHostKeyAsync();
        var port = slurm.Sshd.Port.ToString(CultureInfo.InvariantCulture);
        var knownHosts = _here.Write("known_hosts", $"[127.0.0.1]:{port} {other}\n");
        var session = Session(knownHosts);
        var error = await Assert.ThrowsAsync<SlurmException>(() => new SlurmSshClient(session, new SftpClusterFiles(session)).DescribeAsync(CancellationToken.None));
        var real = KnownHosts.Fingerprint(Convert.FromBase64String(slurm.Sshd.HostPublicKey.Split(' ')[1]));
        Assert.Contains($"the host key of [127.0.0.1]:{port} CHANGED: {knownHosts} line 1 holds ssh-ed25519 {KnownHosts.Fingerprint(Convert.FromBase64String(other.Split(' ')[1]))}", error.Message);
        Assert.Contains($"the server offered ssh-ed25519 {real}", error.Message);
        Assert.Contains($"ssh-keygen -R '[127.0.0.1]:{port}' -f {knownHosts}", error.Message);
    }

    [Fact]
    public async Task A_host_known_by_a_key_of_another_type_is_asked_for_that_type_and_one_known_only_by_a_type_it_lacks_reads_as_changed()
    {
        // As ssh does (KnownHosts): known_hosts lists only the server's RSA key; SSH.NET would offer ed25519 first, so the
        // known type must be asked for first to be let in.
        var port = slurm.Sshd.Port.ToString(CultureInfo.InvariantCulture);
        var rsa = slurm.Sshd.HostRsaPublicKey.Split(' ');
        var rsaOnly = _here.Write("known_hosts_rsa", $"[127.0.0.1]:{port} {rsa[0]} {rsa[1]}\n");
        var session = Session(rsaOnly);
        Assert.Contains("22.05.8", await new SlurmSshClient(session, new SftpClusterFiles(session)).DescribeAsync(CancellationToken.None));

        // Only a key of a type the server does not have: OpenSSH's HOST_CHANGED (a key listed for the host, none matching).
        var ecdsa = await slurm.Sshd.OtherHostKeyAsync("ecdsa");
        var ecdsaOnly = _here.Write("known_hosts_ecdsa", $"[127.0.0.1]:{port} {ecdsa}\n");
        var refused = Session(ecdsaOnly);
        var error = await Assert.ThrowsAsync<SlurmException>(() => new SlurmSshClient(refused, new SftpClusterFiles(refused)).DescribeAsync(CancellationToken.None));
        Assert.Contains($"CHANGED: {ecdsaOnly} line 1 holds ecdsa-sha2-nistp256 SHA256:", error.Message);
        Assert.Contains("the server offered ssh-ed25519 SHA256:", error.Message);
    }

    public void Dispose()
    {
        foreach (var session in _sessions)
            session.Dispose();
        _here.Dispose();
    }
}
