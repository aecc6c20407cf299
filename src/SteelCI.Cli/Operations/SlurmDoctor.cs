using System.Text.Json;
using SteelCI.Slurm;
using SteelCI.Spec;

namespace SteelCI.Cli;

/// <summary>`steelci doctor` for a pipeline that runs on Slurm: the token, slurmrestd's API version, the partition's limit, the shared folder.</summary>
public static class SlurmDoctor
{
    public static async Task<IReadOnlyList<DoctorCommand.Finding>> CheckAsync(CliServices services, Pipeline pipeline, CancellationToken cancellationToken)
    {
        const string area = "slurm";
        var findings = new List<DoctorCommand.Finding>();
        SlurmWiring wiring;
        try
        {
            wiring = services.Slurm(pipeline);
        }
        catch (Exception error) when (error is SpecException or IOException or UnauthorizedAccessException)
        {
            return [new(area, "compute.slurm", DoctorCommand.Level.Fail, error.Message, "see docs/compute.md")];
        }
        using (wiring)
        {
            var options = wiring.Options;
            var ssh = options.Ssh is not null;
            if (!ssh && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(options.TokenEnv)))
            {
                findings.Add(new(area, "token", DoctorCommand.Level.Fail, $"{options.TokenEnv} is empty",
                    $"on the cluster: scontrol token username={options.User} lifespan=86400; then export {options.TokenEnv}=<token>"));
                return findings;
            }
            var reach = ssh ? "ssh" : "slurmrestd";
            try
            {
                findings.Add(new(area, reach, DoctorCommand.Level.Ok, await wiring.Client.DescribeAsync(cancellationToken)));
                var limit = await wiring.Client.PartitionLimitAsync(options.Partition, cancellationToken);
                var wanted = options.TimeLimit.TotalMinutes;
                findings.Add(limit is { } max && wanted > max
                    ? new(area, "partition", DoctorCommand.Level.Fail, $"{options.Partition} allows {max:0} min, compute.slurm.time_limit_minutes is {wanted:0}: jobs would stay pending",
                        $"set time_limit_minutes: {max:0}")
                    : new(area, "partition", DoctorCommand.Level.Ok, $"{options.Partition}: limit {(limit is { } l ? $"{l:0} min" : "none")}, jobs ask for at most {wanted:0} min"));
            }
            catch (Exception error) when (error is SlurmException or HttpRequestException or TaskCanceledException)
            {
                findings.Add(new(area, reach, DoctorCommand.Level.Fail, error.Message, ssh
                    ? "check ssh_host, the key (ssh_key / ssh_key_env) and known_hosts"
                    : "check rest_url, that slurmrestd runs with auth/jwt, and the token"));
                if (ssh)
                    return findings;
            }
            if (ssh)
            {
                var folder = $"{options.SharedDir.TrimEnd('/')}/.steelci-doctor-{Guid.NewGuid():N}";
                try
                {
                    wiring.Files.CreateDirectory(folder);
                    wiring.Files.DeleteTree(folder);
                    findings.Add(new(area, "shared_dir", DoctorCommand.Level.Ok, $"{options.SharedDir} is writable on the login node (SFTP)"));
                }
                catch (Exception error) when (error is Renci.SshNet.Common.SshException or IOException)
                {
                    findings.Add(new(area, "shared_dir", DoctorCommand.Level.Fail, $"{options.SharedDir} on the login node: {error.Message}",
                        "choose a folder of yours on the cluster's shared file system"));
                }
                findings.Add(await DeviceAsync(wiring, cancellationToken));
                return findings;
            }
            var probe = Path.Combine(options.SharedDir, $".steelci-doctor-{Guid.NewGuid():N}");
            try
            {
                File.WriteAllText(probe, "");
                File.Delete(probe);
                findings.Add(new(area, "shared_dir", DoctorCommand.Level.Ok, $"{options.SharedDir} is writable here"));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                findings.Add(new(area, "shared_dir", DoctorCommand.Level.Fail, $"{options.SharedDir}: {error.Message}",
                    "mount the cluster's shared folder here (or run steelci on the login node)"));
                return findings;
            }
            findings.Add(await DeviceAsync(wiring, cancellationToken));
        }
        return findings;
    }

    /// <summary>The rung a gpu stage would take (the launcher's own ladder, run where the cluster's files are, a GPU assumed).</summary>
    private static async Task<DoctorCommand.Finding> DeviceAsync(SlurmWiring wiring, CancellationToken cancellationToken)
    {
        const string check = "gpu device";
        var libtorch = Kaggle.Probe.ProbeReport.DefaultLibtorch;
        var where = wiring.Options.Ssh is null ? "here" : "on the login node";
        try
        {
            var result = await SlurmDeviceProbe.RunAsync(wiring.Files, wiring.Options, libtorch, wiring.Shell, cancellationToken);
            var detail = $"rung {result.Rung} ({where}, a GPU assumed; TorchSharp binds libtorch {libtorch}): {result.Reason}";
            return result.Rung switch
            {
                "a" or "b" => new("slurm", check, DoctorCommand.Level.Ok, detail),
                "c" => new("slurm", check, DoctorCommand.Level.Warn, detail, "for the GPU: compute.slurm.libtorch, or steelci slurm runtime"),
                _ => new("slurm", check, DoctorCommand.Level.Fail, detail, "docs/compute.md: GPUs on the cluster"),
            };
        }
        catch (Exception error) when (error is SlurmException or IOException or Renci.SshNet.Common.SshException or JsonException)
        {
            return new("slurm", check, DoctorCommand.Level.Fail, $"the device check {where} failed: {error.Message}", "check compute.slurm.python");
        }
    }
}
