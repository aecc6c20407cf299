namespace SteelCI.Ports;

/// <summary>
/// A backend whose lost attempts may still have left their last periodic checkpoint readable: on Slurm the attempt's
/// folder on the shared file system survives scancel, preemption and node failure. The runner verifies what it gets
/// like any output and publishes a whole partial checkpoint, so the next attempt resumes from it instead of epoch 0.
/// </summary>
public interface ILostAttemptOutput
{
    /// <summary>A local folder holding the lost attempt's output as it was left (a manifest in it), or null when there is none.</summary>
    Task<string?> LostOutputAsync(AttemptHandle handle, CancellationToken cancellationToken);
}
