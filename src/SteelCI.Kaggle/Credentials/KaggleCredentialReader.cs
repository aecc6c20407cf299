using System.Text.Json;

namespace SteelCI.Kaggle.Credentials;

/// <summary>No usable credential was found for an account; the message lists where SteelCI looked.</summary>
public sealed class KaggleCredentialsException(string message) : Exception(message);

/// <summary>
/// Reads an account's credential the way the official CLI does, in its order:
/// KAGGLE_API_TOKEN (the value, or a path to a file holding it) → {config}/access_token(.txt) →
/// KAGGLE_USERNAME + KAGGLE_KEY → {config}/kaggle.json (legacy, sent as Basic).
/// The config folder is KAGGLE_CONFIG_DIR, else ~/.kaggle, else $XDG_CONFIG_HOME/kaggle.
/// For a named account every variable is first looked up with the account suffix (KAGGLE_API_TOKEN_ALICE,
/// KAGGLE_CONFIG_DIR_ALICE, ...), so several accounts live side by side; the unsuffixed variables serve only the
/// account marked default.
/// </summary>
public sealed class KaggleCredentialReader(IReadOnlyDictionary<string, string?> environment, string homeDirectory, Action<string> warn)
{
    public static KaggleCredentialReader FromProcess(Action<string> warn) => new(
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value),
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), warn);

    public KaggleAccount Read(string accountName, bool isDefault)
    {
        var looked = new List<string>();
        var token = Variable("KAGGLE_API_TOKEN", accountName, isDefault, looked);
        if (token is not null)
            return new KaggleAccount(accountName, TokenFromValueOrPath(token.Value.Value, token.Value.Name));

        var configDir = ConfigDirectory(accountName, isDefault, looked);
        foreach (var name in new[] { "access_token", "access_token.txt" })
        {
            var path = Path.Combine(configDir, name);
            looked.Add(path);
            if (File.Exists(path))
                return new KaggleAccount(accountName, new TokenCredential(new Secret(ReadSecretFile(path)), path));
        }

        var user = Variable("KAGGLE_USERNAME", accountName, isDefault, looked);
        var key = Variable("KAGGLE_KEY", accountName, isDefault, looked);
        if (user is not null && key is not null)
            return new KaggleAccount(accountName, new LegacyKeyCredential(user.Value.Value, new Secret(key.Value.Value), $"{user.Value.Name}/{key.Value.Name}"));

        var json = Path.Combine(configDir, "kaggle.json");
        looked.Add(json);
        if (File.Exists(json))
            return new KaggleAccount(accountName, ReadKaggleJson(json));

        throw new KaggleCredentialsException(
            $"account {accountName}: no Kaggle credentials found (looked at {string.Join(", ", looked)}); " +
            $"create an API token at https://www.kaggle.com/settings and set {Suffixed("KAGGLE_API_TOKEN", accountName)}");
    }

    public static string Suffixed(string variable, string accountName) =>
        variable + "_" + new string(accountName.ToUpperInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    private (string Name, string Value)? Variable(string variable, string accountName, bool isDefault, List<string> looked)
    {
        var names = isDefault ? new[] { Suffixed(variable, accountName), variable } : new[] { Suffixed(variable, accountName) };
        foreach (var name in names)
        {
            looked.Add("$" + name);
            if (environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
                return (name, value.Trim());
        }
        return null;
    }

    private string ConfigDirectory(string accountName, bool isDefault, List<string> looked)
    {
        var explicitDir = Variable("KAGGLE_CONFIG_DIR", accountName, isDefault, looked);
        if (explicitDir is not null)
            return explicitDir.Value.Value;
        var home = Path.Combine(homeDirectory, ".kaggle");
        if (!isDefault || Directory.Exists(home))
            return isDefault ? home : Path.Combine(home, accountName);
        var xdg = environment.GetValueOrDefault("XDG_CONFIG_HOME");
        return string.IsNullOrWhiteSpace(xdg) ? home : Path.Combine(xdg, "kaggle");
    }

    private TokenCredential TokenFromValueOrPath(string value, string variable)
    {
        // The SDK accepts the token itself or a path to a file that holds it.
        if (!value.StartsWith("KGAT_", StringComparison.Ordinal) && File.Exists(value))
            return new TokenCredential(new Secret(ReadSecretFile(value)), $"${variable} → {value}");
        // A token is letters, digits and '_' (KGAT_…, or a legacy key's hex): a value with a path's characters was
        // meant as a file, and sending it as the token would only earn a 401 that blames the token.
        if (value.IndexOfAny(['/', '\\', '~']) >= 0)
            throw new KaggleCredentialsException($"${variable} names the file {value}, which does not exist; " +
                "set it to the token itself (KGAT_…) or to the path of a file that holds it");
        return new TokenCredential(new Secret(value), "$" + variable);
    }

    private LegacyKeyCredential ReadKaggleJson(string path)
    {
        var text = ReadSecretFile(path);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var user = root.TryGetProperty("username", out var u) ? u.GetString() : null;
            var key = root.TryGetProperty("key", out var k) ? k.GetString() : null;
            if (string.IsNullOrWhiteSpace(user) || string.IsNullOrWhiteSpace(key))
                throw new KaggleCredentialsException($"{path}: expected {{\"username\":...,\"key\":...}}");
            return new LegacyKeyCredential(user, new Secret(key), path);
        }
        catch (JsonException)
        {
            // The parser's message may quote the file's text, so it is left out on purpose.
            throw new KaggleCredentialsException($"{path}: not valid JSON; download a fresh kaggle.json or use an API token");
        }
    }

    private string ReadSecretFile(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                warn($"warning: {path} is readable by other users; run: chmod 600 {path}");
        }
        var text = File.ReadAllText(path).Trim();
        if (text.Length == 0)
            throw new KaggleCredentialsException($"{path} is empty");
        return text;
    }
}
