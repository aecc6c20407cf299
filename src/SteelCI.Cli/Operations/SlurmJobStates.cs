using System.Globalization;
using SteelCI.Slurm;
using SteelCI.Spec;
using SteelCI.State;

namespace SteelCI.Cli;

/// <summary>`steelci status` on a cluster: what Slurm says now of each active attempt's job (its state and reason), by slug.</summary>
public static class SlurmJobStates
{
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(CliServices services, Pipeline pipeline,
        IReadOnlyList<AttemptRecord> attempts, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, string>();
        try
        {
            using var wiring = services.Slurm(pipeline);
            foreach (var attempt in attempts)
            {
                var id = long.Parse(attempt.Handle!["job"], CultureInfo.InvariantCulture);
                var job = await wiring.Client.GetJobAsync(id, cancellationToken);
                states[attempt.Slug] = job is null ? "gone from Slurm; the next tick reads what it left"
                    : job.State + (string.IsNullOrEmpty(job.Reason) || job.Reason == "None" ? "" : $", reason {job.Reason}")
                      + (job.RestartCount > 0 ? $", requeued {job.RestartCount}x" : "");
            }
        }
        catch (Exception error) when (error is SlurmException or HttpRequestException or TaskCanceledException or SpecException)
        {
            foreach (var attempt in attempts.Where(a => !states.ContainsKey(a.Slug)))
                states[attempt.Slug] = $"Slurm not asked: {error.Message}";
        }
        return states;
    }
}
