using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SteelCI.Slurm.Ssh;
using SteelCI.Testing;

namespace SteelCI.Slurm.Tests;

/// <summary>
/// A real OpenSSH server (Debian's openssh-server) on a free loopback port, as a cluster's login node for the SSH
/// route: its own ed25519 host key, a client key in its own authorized_keys, SFTP, and SLURM_CONF set for every
/// session (sshd_config SetEnv, OpenSSH 8.7+) so sbatch/scontrol reach the local Slurm. Runs in the foreground
/// (sshd -D) as a child of the test, stopped by its pid. Needs root (sshd drops to the logged-in user) like slurmd.
/// </summary>
public sealed class LocalSshd : IAsyncDisposable
{
    public const string Package = "openssh-server";
    private const string Program = "/usr/sbin/sshd";
    private Process? _sshd;

    private LocalSshd(string root) => Root = root;

    public string Root { get; }
    public int Port { get; private set; }
    public string ClientKey => Path.Combine(Root, "client_key");
    public string HostPublicKey => File.ReadAllText(Path.Combine(Root, "host_key.pub")).Trim();
    public string HostRsaPublicKey => File.ReadAllText(Path.Combine(Root, "host_key_rsa.pub")).Trim();
    /// <summary>A known_hosts file that lists this server's host key under [127.0.0.1]:port.</summary>
    public string KnownHosts => Path.Combine(Root, "known_hosts");
    public SshTarget Target => new("root", "127.0.0.1", Port);

    public static async Task<LocalSshd> StartAsync(string root, string slurmConf)
    {
        if (!File.Exists(Program))
            throw new InvalidOperationException($"{Program} is missing: the SSH route's tests need a real sshd: apt-get install -y --no-install-recommends {Package} (.ci/run's Test target does it)");
        var sshd = new LocalSshd(Directory.CreateDirectory(root).FullName);
        await Run("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "steelci-test-host", "-f", Path.Combine(sshd.Root, "host_key"));
        // A second host key of another type, as login nodes have (ed25519 and rsa): a known_hosts listing only one type must still reach it.
        await Run("/usr/bin/ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "steelci-test-host-rsa", "-f", Path.Combine(sshd.Root, "host_key_rsa"));
        await Run("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "steelci-test-client", "-f", sshd.ClientKey);
        File.Copy(sshd.ClientKey + ".pub", Path.Combine(sshd.Root, "authorized_keys"));
        sshd.Port = FreePort();
        var hostKey = sshd.HostPublicKey.Split(' ');
        File.WriteAllText(sshd.KnownHosts, $"[127.0.0.1]:{sshd.Port} {hostKey[0]} {hostKey[1]}\n");
        File.WriteAllText(Path.Combine(sshd.Root, "sshd_config"), string.Join('\n',
            $"Port {sshd.Port}",
            "ListenAddress 127.0.0.1",
            $"HostKey {sshd.Root}/host_key",
            $"HostKey {sshd.Root}/host_key_rsa",
            $"PidFile {sshd.Root}/sshd.pid",
            $"AuthorizedKeysFile {sshd.Root}/authorized_keys",
            "StrictModes no", // the keys live under /tmp, which is world-writable
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "Subsystem sftp internal-sftp",
            $"SetEnv SLURM_CONF={slurmConf}",
            "LogLevel ERROR",
            ""));
        Directory.CreateDirectory("/run/sshd"); // the privilege separation folder sshd insists on (Debian's unit makes it)
        var start = new ProcessStartInfo(Program, ["-D", "-e", "-f", Path.Combine(sshd.Root, "sshd_config")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        sshd._sshd = Process.Start(start)!;
        sshd._sshd.OutputDataReceived += (_, _) => { };
        sshd._sshd.ErrorDataReceived += (_, _) => { };
        sshd._sshd.BeginOutputReadLine();
        sshd._sshd.BeginErrorReadLine();
        if (!await Eventually.Until(() => sshd._sshd.HasExited || Listens(sshd.Port), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50)) || sshd._sshd.HasExited)
            throw new InvalidOperationException($"sshd did not start on 127.0.0.1:{sshd.Port} (exited: {sshd._sshd.HasExited})");
        return sshd;
    }

    /// <summary>SSH settings for this server: the client key, and <paramref name="knownHosts"/> (default: the file listing this server).</summary>
    public SshSettings Settings(string? knownHosts = null) => new()
    {
        Target = Target,
        KeyFile = ClientKey,
        KnownHostsFile = knownHosts ?? KnownHosts,
    };

    /// <summary>A second host key, for a known_hosts that lists another key for this server (a "changed" key).</summary>
    public async Task<string> OtherHostKeyAsync(string type = "ed25519")
    {
        var path = Path.Combine(Root, $"other_{Guid.NewGuid():N}");
        await Run("/usr/bin/ssh-keygen", "-q", "-t", type, "-N", "", "-f", path);
        var parts = File.ReadAllText(path + ".pub").Trim().Split(' ');
        return $"{parts[0]} {parts[1]}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_sshd is { HasExited: false })
        {
            _sshd.Kill(entireProcessTree: true); // the listener and any session it forked
            await _sshd.WaitForExitAsync();
        }
        _sshd?.Dispose();
    }

    private static bool Listens(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
