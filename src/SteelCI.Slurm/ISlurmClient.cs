namespace SteelCI.Slurm;

/// <summary>
/// What the backend asks of a cluster's scheduler, whatever the transport: slurmrestd (<see cref="SlurmRestClient"/>)
/// or SSH to a login node (<see cref="SlurmSshClient"/>).
/// </summary>
public interface ISlurmClient
{
    /// <summary>How this client reaches the cluster and what answers there (doctor prints it), e.g. "http://... speaks v0.0.38, Slurm 22.05.8".</summary>
    Task<string> DescribeAsync(CancellationToken cancellationToken);

    Task<long> SubmitAsync(SlurmSubmission submission, CancellationToken cancellationToken);

    /// <summary>The job, or null when slurmctld no longer knows it (ended longer than MinJobAge ago, or never existed).</summary>
    Task<SlurmJob?> GetJobAsync(long id, CancellationToken cancellationToken);

    /// <summary>The partition's wall-clock limit in minutes (null: none); a partition Slurm does not know is an error.</summary>
    Task<double?> PartitionLimitAsync(string name, CancellationToken cancellationToken);

    /// <summary>Cancels the job (scancel); a job Slurm no longer knows is already gone.</summary>
    Task CancelAsync(long id, CancellationToken cancellationToken);
}
