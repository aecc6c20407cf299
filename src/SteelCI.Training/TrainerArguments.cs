using System.Globalization;
using SteelCI.Contracts;

namespace SteelCI.Training;

/// <summary>The trainer contract's command line (docs/contracts.md).</summary>
public sealed record TrainerArguments(
    string ConfigPath,
    IReadOnlyDictionary<string, string> Inputs,
    string Output,
    int Threads,
    TimeSpan TimeLimit)
{
    public static TrainerArguments Parse(IReadOnlyList<string> args)
    {
        string? config = null, output = null;
        var threads = 1;
        var limit = PlatformRules.SessionLimit;
        var inputs = new Dictionary<string, string>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new BadInputException($"argument {args[i]} needs a value");
            switch (args[i])
            {
                case "--config": config = Value(); break;
                case "--output": output = Value(); break;
                case "--threads": threads = ParseInt(Value(), "--threads"); break;
                case "--time-limit-seconds": limit = TimeSpan.FromSeconds(ParseInt(Value(), "--time-limit-seconds")); break;
                case "--input":
                    var pair = Value();
                    var equals = pair.IndexOf('=');
                    if (equals <= 0)
                        throw new BadInputException($"--input expects NAME=DIR, got '{pair}'");
                    inputs[pair[..equals]] = pair[(equals + 1)..];
                    break;
                default: throw new BadInputException($"unknown argument '{args[i]}'; the contract is --config --input --output --threads --time-limit-seconds");
            }
        }
        return new TrainerArguments(
            config ?? throw new BadInputException("--config is required"),
            inputs,
            output ?? throw new BadInputException("--output is required"),
            threads,
            limit);
    }

    private static int ParseInt(string text, string name) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new BadInputException($"{name} must be a positive integer, got '{text}'");
}
