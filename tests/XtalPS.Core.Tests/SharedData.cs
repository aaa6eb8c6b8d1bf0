using System;
using System.IO;
using System.Text.Json;

namespace XtalPS.Core.Tests
{
    /// <summary>Finds ../shared/data beside the repository and the dxtbx reference facts.</summary>
    public static class SharedData
    {
        private static readonly Lazy<string> _root = new Lazy<string>(() =>
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (File.Exists(Path.Combine(candidate, "dxtbx_reference.json"))) return candidate;
                candidate = Path.Combine(dir.FullName, "..", "shared", "data");
                if (File.Exists(Path.Combine(candidate, "dxtbx_reference.json"))) return Path.GetFullPath(candidate);
                dir = dir.Parent;
            }
            throw new DirectoryNotFoundException("../shared/data (with dxtbx_reference.json) was not found above the test folder.");
        });

        private static readonly Lazy<JsonDocument> _dxtbx = new Lazy<JsonDocument>(() =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "dxtbx_reference.json"))));

        public static string Root => _root.Value;
        public static string File_(string relative) => Path.Combine(Root, relative);
        public static JsonElement Dxtbx(string relative) => _dxtbx.Value.RootElement.GetProperty(relative);
        public static JsonDocument Json(string relative) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, relative)));
    }
}
