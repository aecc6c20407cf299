using System.Text;
using SteelCI.Ports;

namespace SteelCI.Slurm;

/// <summary>
/// Follows a Slurm job's standard output (log.txt in the attempt's folder, through <see cref="IClusterFiles"/>: mounted
/// here or by SFTP) until the job ends: each round reads the job's state first, then the bytes appended since the last
/// round, so the last lines written before the end are never missed; between rounds it waits <c>poll</c> on the given
/// clock. Used by <c>steelci logs --follow</c> on both routes.
/// </summary>
public sealed class SlurmLogFollower(SlurmBackend backend, IClusterFiles files, TimeProvider time, TimeSpan poll)
{
    /// <summary>Writes the log as it grows; returns the job's final status.</summary>
    public async Task<AttemptStatus> FollowAsync(AttemptHandle handle, TextWriter output, CancellationToken cancellationToken)
    {
        var log = handle.Data["directory"] + "/" + SlurmBackend.LogFile;
        long position = 0;
        var decoder = Encoding.UTF8.GetDecoder(); // a character split across two reads is completed by the next
        while (true)
        {
            var status = await backend.PollAsync(handle, cancellationToken);
            if (files.ReadFrom(log, position) is { Length: > 0 } bytes)
            {
                var chars = new char[decoder.GetCharCount(bytes, 0, bytes.Length)];
                decoder.GetChars(bytes, 0, bytes.Length, chars, 0);
                await output.WriteAsync(chars, cancellationToken);
                await output.FlushAsync(cancellationToken);
                position += bytes.Length;
            }
            if (status.IsFinished)
                return status;
            await Task.Delay(poll, time, cancellationToken);
        }
    }
}
