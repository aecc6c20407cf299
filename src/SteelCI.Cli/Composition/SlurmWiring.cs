using Renci.SshNet;
using SteelCI.Slurm;
using SteelCI.Slurm.Ssh;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>
/// Composes the slurm backend from steelci.yml's compute.slurm: REST (one HttpClient to slurmrestd, the token read
/// from the environment variable the spec names) or SSH (an SSH and an SFTP connection to the login node, opened on
/// first use, the host key checked against known_hosts). Secrets never come from the file and are never logged.
/// </summary>
public sealed class SlurmWiring : IDisposable
{
    private readonly IDisposable _connection;

    private SlurmWiring(IDisposable connection, ISlurmClient client, IClusterFiles files, SlurmOptions options, SlurmDeviceProbe.Shell shell)
    {
        _connection = connection;
        Shell = shell;
        Client = client;
        Files = files;
        Options = options;
        Backend = new SlurmBackend(client, files, options);
    }

    public ISlurmClient Client { get; }
    public IClusterFiles Files { get; }
    public SlurmBackend Backend { get; }
    public SlurmOptions Options { get; }
    /// <summary>A command where the cluster's files are: on the login node (SSH), or here (REST, the shared folder mounted here).</summary>
    public SlurmDeviceProbe.Shell Shell { get; }

    /// <param name="localDir">Where the SSH route copies a job's outputs here (the workspace's slurm folder).</param>
    public static SlurmWiring Create(Pipeline pipeline, string? localDir = null)
    {
        var spec = pipeline.Compute.Slurm ?? throw new SpecException(new SpecLocation(pipeline.SpecPath, 1, 1),
            "backend slurm needs a compute.slurm section (rest_url or ssh_host, user, partition, shared_dir; docs/compute.md)");
        var options = SlurmOptions.From(spec, Environment.GetEnvironmentVariable) with { LocalDir = localDir };
        if (options.Ssh is { } ssh)
        {
            var session = new SshSession(ssh, Environment.GetEnvironmentVariable, info => new SshClient(info), info => new SftpClient(info));
            var remote = new SftpClusterFiles(session);
            return new SlurmWiring(session, new SlurmSshClient(session, remote), remote, options, session.RunAsync);
        }
        Directory.CreateDirectory(options.SharedDir);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        return new SlurmWiring(http, new SlurmRestClient(http, options, Environment.GetEnvironmentVariable), new LocalClusterFiles(), options, LocalShell.RunAsync);
    }

    public void Dispose() => _connection.Dispose();
}
