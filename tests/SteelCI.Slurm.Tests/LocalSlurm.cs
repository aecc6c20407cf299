using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>
/// A real single-node Slurm 22.05 (Debian 12's packages) in a temp folder: munged, slurmctld, slurmd and slurmrestd
/// (JWT) on loopback ports, one node with a fake GPU (a character device in gres.conf). Started once per test class
/// collection, stopped by pid at the end, folder removed. When the machine cannot run it (packages missing, not
/// root) construction throws with what to do, so the tests fail instead of passing or skipping (issue 20).
/// Facts behind each setting: ../shared/docs/slurm.md ("Starting a real single-node Slurm in a test").
/// </summary>
public sealed class LocalSlurm : IAsyncLifetime
{
    public const string Packages = "slurmctld slurmd slurmrestd slurm-client slurm-wlm-jwt-plugin munge openssh-server";
    public const string Node = "steelci";
    public const string PartitionName = "debug";
    public const int PartitionMinutes = 30;
    private static readonly string[] Programs = ["/usr/sbin/munged", "/usr/sbin/mungekey", "/usr/sbin/slurmctld", "/usr/sbin/slurmd",
        "/usr/sbin/slurmrestd", "/usr/bin/scontrol"];

    private readonly List<int> _pids = [];
    private Process? _restd;

    public string Root { get; private set; } = "";
    public string Shared => Path.Combine(Root, "shared");
    public Uri RestUrl { get; private set; } = null!;
    public string Token { get; private set; } = "";
    public string Conf => Path.Combine(Root, "slurm.conf");
    /// <summary>A real sshd on loopback as the cluster's login node (the SSH route).</summary>
    public LocalSshd Sshd { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var missing = Programs.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"Slurm cannot start here: {string.Join(", ", missing)} missing. These tests need a real Slurm: " +
                $"apt-get install -y --no-install-recommends {Packages} (Debian 12; .ci/run does it)");
        if (Environment.UserName != "root")
            throw new InvalidOperationException($"Slurm cannot start here: slurmd must run as root (this is {Environment.UserName}); run the Slurm tests as root, as .ci/run does");
        // Short path: munge's socket path must fit a sockaddr_un (108 bytes).
        Root = Path.Combine("/tmp", "steelci-slurm-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        foreach (var folder in new[] { "state", "spool", "log", "run", "shared" })
            Directory.CreateDirectory(Path.Combine(Root, folder));
        File.WriteAllBytes(Path.Combine(Root, "jwt.key"), RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(Path.Combine(Root, "jwt.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await RunAsync("/usr/sbin/mungekey", "--create", $"--keyfile={Root}/munge.key");
        await RunAsync("/usr/bin/mknod", $"{Root}/gpu0", "c", "1", "3"); // a fake GPU: gres needs a File=, with Count= alone the node drains
        var (controller, daemon, rest) = (FreePort(), FreePort(), FreePort());
        File.WriteAllText(Conf, Config(controller, daemon));
        File.WriteAllText(Path.Combine(Root, "gres.conf"), $"NodeName={Node} Name=gpu File={Root}/gpu0\n");

        await RunAsync("/usr/sbin/munged", $"--socket={Root}/run/munge.socket", $"--key-file={Root}/munge.key",
            $"--pid-file={Root}/run/munged.pid", $"--log-file={Root}/log/munged.log", $"--seed-file={Root}/run/munge.seed", "--force");
        await RememberAsync("munged.pid");
        // Under their own names: started as *-wlm they silently skip the JWT plugin and the GPU configuration.
        await RunAsync("/usr/sbin/slurmctld", "-i");
        await RememberAsync("slurmctld.pid");
        await RunAsync("/usr/sbin/slurmd", "-N", Node);
        await RememberAsync("slurmd.pid");

        // slurmrestd refuses root: it runs as nobody, with SLURM_JWT=daemon; only the v0.0.3x plugins (the db ones need slurmdbd).
        var start = new ProcessStartInfo("/usr/sbin/slurmrestd", ["-u", "nobody", "-g", "nogroup", "-a", "rest_auth/jwt",
            "-s", "openapi/v0.0.36,openapi/v0.0.37,openapi/v0.0.38", $"127.0.0.1:{rest}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SLURM_CONF"] = Conf;
        start.Environment["SLURM_JWT"] = "daemon";
        _restd = Process.Start(start)!;
        _restd.OutputDataReceived += (_, _) => { };
        _restd.ErrorDataReceived += (_, _) => { };
        _restd.BeginOutputReadLine();
        _restd.BeginErrorReadLine();
        RestUrl = new Uri($"http://127.0.0.1:{rest}/");

        if (!await Eventually.Until(async () => (await RunAsync("/usr/bin/scontrol", ["show", "node", Node], check: false)).Contains("State=IDLE"),
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)))
            throw new InvalidOperationException($"Slurm started but node {Node} never became idle: {await RunAsync("/usr/bin/scontrol", ["show", "node", Node], check: false)}\n{Tail("slurmd.log")}");
        Token = (await RunAsync("/usr/bin/scontrol", "token", "username=root", "lifespan=7200")).Trim().Split('=', 2)[1];
        using var http = new HttpClient();
        if (!await Eventually.Until(async () => await Answers(http), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)))
            throw new InvalidOperationException($"slurmrestd never answered at {RestUrl} (exited: {_restd.HasExited})");
        Sshd = await LocalSshd.StartAsync(Path.Combine(Root, "sshd"), Conf);
    }

    private async Task<bool> Answers(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(RestUrl, "openapi/v3"));
            return response.StatusCode == HttpStatusCode.Unauthorized || response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public SlurmOptions Options(string shared, string? gres = "gpu:1") => new()
    {
        RestUrl = RestUrl,
        User = "root",
        TokenEnv = "STEELCI_TEST_SLURM_JWT",
        Partition = PartitionName,
        Gres = gres,
        TimeLimit = TimeSpan.FromMinutes(PartitionMinutes),
        JobLimit = 2,
        SharedDir = shared,
    };

    public string? Variable(string name) => name == "STEELCI_TEST_SLURM_JWT" ? Token : null;

    /// <summary>scontrol against this Slurm (requeue, show job), for what the REST API of 22.05 cannot do.</summary>
    public Task<string> ControlAsync(params string[] args) => RunAsync("/usr/bin/scontrol", args);

    /// <summary>scancel against this Slurm, as a user or an admin would kill a job.</summary>
    public Task<string> CancelAsync(params string[] args) => RunAsync("/usr/bin/scancel", args);

    public async Task DisposeAsync()
    {
        if (Sshd is not null)
            await Sshd.DisposeAsync();
        if (_restd is { HasExited: false })
        {
            _restd.Kill();
            await _restd.WaitForExitAsync();
        }
        _restd?.Dispose();
        // Jobs first (their steps are children of slurmd), then the daemons in reverse order.
        if (File.Exists(Conf))
            await RunAsync("/usr/bin/scancel", ["--user=root", "--full"], check: false);
        // A daemon whose start the fixture did not see through still wrote its pid file: stopped too.
        var run = Path.Combine(Root, "run");
        if (Directory.Exists(run))
            foreach (var file in Directory.EnumerateFiles(run, "*.pid"))
                if (int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var pid) && !_pids.Contains(pid))
                    _pids.Add(pid);
        foreach (var pid in Enumerable.Reverse(_pids))
            await StopAsync(pid);
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    private static async Task StopAsync(int pid)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // already gone
        }
        using (process)
        {
            process.Kill(); // SIGKILL: nothing of this throwaway cluster needs saving
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The daemon's pid, once it has written its pid file (it forks first, so the file comes a moment later).</summary>
    private async Task RememberAsync(string pidFile)
    {
        var path = Path.Combine(Root, "run", pidFile);
        if (!await Eventually.Until(() => File.Exists(path) && File.ReadAllText(path).Trim().Length > 0, TimeSpan.FromSeconds(30)))
            throw new InvalidOperationException($"{pidFile} was not written; the daemon did not start: {Tail("slurmctld.log")}{Tail("slurmd.log")}");
        _pids.Add(int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture));
    }

    private string Tail(string log)
    {
        var path = Path.Combine(Root, "log", log);
        return File.Exists(path) ? $"\n{log}: " + string.Join('\n', File.ReadAllLines(path).TakeLast(8)) : "";
    }

    private Task<string> RunAsync(string program, params string[] args) => RunAsync(program, args, check: true);

    private async Task<string> RunAsync(string program, string[] args, bool check)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Root.Length > 0)
            start.Environment["SLURM_CONF"] = Conf;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {text}");
        return text;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Config(int controller, int daemon) => string.Join('\n',
        "ClusterName=steelci",
        "SlurmctldHost=localhost(127.0.0.1)",
        $"SlurmctldPort={controller}",
        $"SlurmdPort={daemon}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        $"AuthInfo=socket={Root}/run/munge.socket",
        "AuthAltTypes=auth/jwt",
        $"AuthAltParameters=jwt_key={Root}/jwt.key",
        "CredType=cred/munge",
        $"StateSaveLocation={Root}/state",
        $"SlurmdSpoolDir={Root}/spool",
        $"SlurmctldPidFile={Root}/run/slurmctld.pid",
        $"SlurmdPidFile={Root}/run/slurmd.pid",
        $"SlurmctldLogFile={Root}/log/slurmctld.log",
        $"SlurmdLogFile={Root}/log/slurmd.log",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "GresTypes=gpu",
        "MinJobAge=3600", // finished jobs stay readable at /job/{id} (300 s by default without slurmdbd)
        "ReturnToService=2",
        "MpiDefault=none",
        "SwitchType=switch/none",
        $"NodeName={Node} NodeAddr=127.0.0.1 NodeHostname=localhost CPUs={Environment.ProcessorCount} RealMemory=1000 Gres=gpu:1 State=UNKNOWN",
        $"PartitionName={PartitionName} Nodes={Node} Default=YES MaxTime={PartitionMinutes} State=UP",
        "");
}
