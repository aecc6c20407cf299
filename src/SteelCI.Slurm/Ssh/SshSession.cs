using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace SteelCI.Slurm.Ssh;

/// <summary>
/// One SSH connection to the login node for commands and one for SFTP, opened on first use. The node's host key must
/// be in the known_hosts file (<see cref="KnownHosts"/>): an unknown or changed key is refused with the fix, never
/// trusted on first use; the key types known_hosts lists for the host are asked for first, as ssh does. The clients are made by the caller (the composition root) from the connection info.
/// </summary>
public sealed class SshSession(SshSettings settings, Func<string, string?> environment,
    Func<ConnectionInfo, SshClient> newSsh, Func<ConnectionInfo, SftpClient> newSftp) : IDisposable
{
    private SshClient? _ssh;
    private SftpClient? _sftp;

    public SshSettings Settings => settings;

    /// <summary>Runs one command through the login shell: its exit status, standard output and standard error.</summary>
    public async Task<(int Exit, string Output, string Error)> RunAsync(string command, CancellationToken cancellationToken)
    {
        _ssh ??= Open(newSsh);
        using var run = _ssh.CreateCommand(command);
        await run.ExecuteAsync(cancellationToken);
        return (run.ExitStatus ?? -1, run.Result, run.Error);
    }

    public SftpClient Sftp() => _sftp ??= Open(newSftp);

    private T Open<T>(Func<ConnectionInfo, T> make) where T : BaseClient
    {
        var client = make(Connection());
        KnownHosts.Check? check = null;
        string? offered = null;
        client.HostKeyReceived += (_, e) =>
        {
            var known = File.Exists(settings.KnownHostsFile) ? File.ReadAllText(settings.KnownHostsFile) : null;
            check = KnownHosts.Verify(known, settings.Target.KnownHostsName, e.HostKey);
            offered = $"{KnownHosts.KeyType(e.HostKey)} {KnownHosts.Fingerprint(e.HostKey)}";
            e.CanTrust = check.Verdict == KnownHosts.Verdict.Trusted;
        };
        try
        {
            client.Connect();
        }
        catch (SshConnectionException error) when (check is { Verdict: not KnownHosts.Verdict.Trusted })
        {
            client.Dispose();
            throw new SlurmException(Refusal(check, offered!), error);
        }
        catch (Exception error) when (error is SshException or System.Net.Sockets.SocketException or SshAuthenticationException)
        {
            client.Dispose();
            throw new SlurmException($"cannot log in to {settings.Target} (compute.slurm.ssh_host): {error.Message}" +
                (error is SshAuthenticationException ? $"; the public half of the key must be in ~/.ssh/authorized_keys of {settings.Target.User} on {settings.Target.Host}" : ""), error);
        }
        return client;
    }

    private string Refusal(KnownHosts.Check check, string offered)
    {
        var target = settings.Target;
        var file = settings.KnownHostsFile;
        var scan = $"ssh-keyscan -p {target.Port} {target.Host} >> {file}";
        return check.Verdict switch
        {
            KnownHosts.Verdict.Changed =>
                $"the host key of {target.KnownHostsName} CHANGED: {file} line {check.Line} holds {check.KnownType} {check.KnownFingerprint}, the server offered {offered}; refused " +
                "(a re-keyed login node looks like this, and so does a man-in-the-middle). Ask your admin for the node's fingerprint; if it is the offered one: " +
                $"ssh-keygen -R '{target.KnownHostsName}' -f {file} && {scan}",
            KnownHosts.Verdict.Revoked => $"the host key of {target.KnownHostsName} ({offered}) is marked @revoked in {file} line {check.Line}; refused",
            _ => $"the host key of {target.KnownHostsName} ({offered}) is not in {file} (compute.slurm.known_hosts); refused. " +
                $"Check the fingerprint with your admin, then add it: {scan}",
        };
    }

    private ConnectionInfo Connection()
    {
        var target = settings.Target;
        var passphrase = settings.PassphraseEnv is { } name ? environment(name) : null;
        PrivateKeyFile key;
        try
        {
            if (settings.KeyEnv is { } keyEnv)
            {
                var text = environment(keyEnv);
                if (string.IsNullOrWhiteSpace(text))
                    throw new SlurmException($"the environment variable {keyEnv} (compute.slurm.ssh_key_env) is empty; put the private key's text there");
                key = new PrivateKeyFile(new MemoryStream(Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n").Trim() + "\n")), passphrase);
            }
            else
            {
                var file = settings.KeyFile!;
                if (!File.Exists(file))
                    throw new SlurmException($"no SSH key at {file} (compute.slurm.ssh_key): make one with ssh-keygen -t ed25519 -f {file} " +
                        $"and give its .pub to {target.User} on {target.Host} (ssh-copy-id)");
                key = new PrivateKeyFile(file, passphrase);
            }
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            throw new SlurmException($"the SSH key is protected by a passphrase: name the variable that holds it in compute.slurm.ssh_passphrase_env");
        }
        catch (Exception error) when (error is SshException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // The message of a key that does not parse never includes the key itself.
            throw new SlurmException($"the SSH key in {settings.KeyEnv ?? settings.KeyFile} cannot be read ({error.GetType().Name}); " +
                "an OpenSSH or PEM private key is needed (a wrong passphrase reads like this too)");
        }
        var info = new PrivateKeyConnectionInfo(target.Host, target.Port, target.User, key) { Timeout = TimeSpan.FromSeconds(30) };
        // Ask for the host key types known_hosts lists for this host first, as ssh does (KnownHosts.Preferred).
        var known = File.Exists(settings.KnownHostsFile) ? File.ReadAllText(settings.KnownHostsFile) : null;
        var preferred = KnownHosts.Preferred([.. info.HostKeyAlgorithms.Keys], KnownHosts.KnownTypes(known, target.KnownHostsName));
        for (var i = 0; i < preferred.Count; i++)
            info.HostKeyAlgorithms.SetPosition(preferred[i], i);
        return info;
    }

    public void Dispose()
    {
        _ssh?.Dispose();
        _sftp?.Dispose();
    }
}
