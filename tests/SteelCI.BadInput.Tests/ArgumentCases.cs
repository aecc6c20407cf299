namespace SteelCI.BadInput.Tests;

/// <summary>The command line: unknown options, numbers out of range, --data that is not a dataset folder, names that do not exist.</summary>
public static class ArgumentCases
{
    private static Case Args(string name, string where, params string[] args) =>
        new("arguments", name, 2, b => [.. args.Select(a => a.Replace("{spec}", b.Spec).Replace("{work}", b.Work))], _ => where);

    public static IEnumerable<Case> All() =>
    [
        Args("unknown command", "'frobnicate'", "frobnicate"),
        Args("unknown option", "'--bogus'", "validate", "{spec}", "--bogus"),
        Args("option without its value", "--profile", "validate", "{spec}", "--profile"),
        Args("download without --output", "--output", "download", "{spec}", "--stage", "s1"),
        Args("download with neither --stage nor --release", "--stage NAME or --release TAG", "download", "{spec}", "--output", "{work}/out"),
        Args("--slots 0", "--slots 0", "run", "{spec}", "--slots", "0"),
        Args("--slots -3", "--slots -3", "run", "{spec}", "--slots", "-3"),
        Args("--slots not a number", "--slots", "run", "{spec}", "--slots", "many"),
        Args("--session-minutes 0", "--session-minutes 0", "run", "{spec}", "--session-minutes", "0"),
        Args("--session-minutes negative", "--session-minutes -5", "run", "{spec}", "--session-minutes", "-5"),
        Args("--poll-seconds negative", "--poll-seconds -1", "run", "{spec}", "--poll-seconds", "-1"),
        Args("tick --slots 0", "--slots 0", "tick", "{spec}", "--slots", "0"),
        Args("plan --quota-hours 0", "--quota-hours 0", "plan", "{spec}", "--quota-hours", "0"),
        Args("plan --used-hours negative", "--used-hours -1", "plan", "{spec}", "--used-hours", "-1"),
        Args("plan --reserve-hours above the quota", "--reserve-hours 40", "plan", "{spec}", "--reserve-hours", "40"),
        Args("plan with one account twice", "--account a1 is given twice", "plan", "{spec}", "--account", "a1", "--account", "a1"),
        Args("prune --keep 0", "--keep 0", "prune", "{spec}", "--keep", "0"),
        Args("logs --attempt 0", "--attempt 0", "logs", "s1", "{spec}", "--attempt", "0"),
        Args("predict --threads 0", "--threads 0", "predict", "{spec}", "--release", "s2", "--images", "{work}/decoy", "--output", "{work}/out", "--threads", "0"),
        Args("--backend unknown", "--backend cloud", "run", "{spec}", "--backend", "cloud"),
        Args("--backend slurm without compute.slurm", "needs a compute.slurm section", "run", "{spec}", "--backend", "slurm"),
        Args("--store unknown", "--store s3", "run", "{spec}", "--store", "s3"),
        Args("--data a file", "is a file", "validate", "{spec}", "--data", "{work}/decoy/thesis.txt"),
        Args("--data a missing folder", "no such folder", "validate", "{spec}", "--data", "{work}/nowhere"),
        Args("--data an unknown dataset", "no dataset 'd9'", "validate", "{spec}", "--data", "d9={work}/decoy"),
        Args("--data the same dataset twice", "given twice", "validate", "{spec}", "--data", "d1={work}/decoy", "--data", "d1={work}/decoy/data"),
        Args("download an unknown stage", "--stage s9", "download", "{spec}", "--stage", "s9", "--output", "{work}/out"),
        Args("download a release that does not exist", "--release tiny-s1-0123456789ab", "download", "{spec}", "--release", "tiny-s1-0123456789ab", "--output", "{work}/out"),
        Args("download a stage with no release yet", "has no release", "download", "{spec}", "--stage", "s1", "--output", "{work}/out"),
        Args("predict an unknown stage", "--release s9", "predict", "{spec}", "--release", "s9", "--images", "{work}/decoy", "--output", "{work}/out"),
        Args("predict with --images missing", "--images", "predict", "{spec}", "--release", "s2", "--images", "{work}/nowhere", "--output", "{work}/out"),
        Args("predict into a non-empty --output", "--output", "predict", "{spec}", "--release", "s2", "--images", "{work}/decoy", "--output", "{work}/decoy"),
        Args("--data path that escapes with ../", "no such folder", "validate", "{spec}", "--data", "../../../../../../../nowhere-at-all"),
    ];
}
