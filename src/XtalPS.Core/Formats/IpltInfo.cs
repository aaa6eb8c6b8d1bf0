using System;
using System.Collections.Generic;
using System.IO;
using System.Xml;

namespace XtalPS.Formats
{
    /// <summary>
    /// An IPLT info file (project.xml or an image's info.xml): nested groups (elements) holding items, each an
    /// element with <c>value</c> and <c>type</c> attributes, e.g.
    /// <c>&lt;DiffProcessing&gt;&lt;LatticeExtract&gt;&lt;BoxSize value="6" type="int"/&gt;…</c>. Items are addressed by
    /// slash paths below the root ("DiffProcessing/LatticeExtract/BoxSize"). Read and written with System.Xml, DTDs
    /// refused; the root element of an existing file is kept, new files get <c>EMDataInfo</c>.
    /// </summary>
    public sealed class IpltInfo
    {
        /// <summary>Root element of files this class creates.</summary>
        public const string DefaultRoot = "EMDataInfo";
        private readonly XmlDocument _doc;

        private IpltInfo(XmlDocument doc) { _doc = doc; }

        public static IpltInfo Create()
        {
            var doc = new XmlDocument();
            doc.AppendChild(doc.CreateXmlDeclaration("1.0", "UTF-8", null));
            doc.AppendChild(doc.CreateElement(DefaultRoot));
            return new IpltInfo(doc);
        }

        /// <summary>Reads an info file; throws <see cref="InvalidDataException"/> for malformed XML.</summary>
        public static IpltInfo Load(string path)
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
            var doc = new XmlDocument { XmlResolver = null };
            try
            {
                using var reader = XmlReader.Create(path, settings);
                doc.Load(reader);
            }
            catch (XmlException e) { throw new InvalidDataException($"'{path}' is not a well-formed IPLT info file: {e.Message}", e); }
            if (doc.DocumentElement == null) throw new InvalidDataException($"'{path}' has no root element.");
            return new IpltInfo(doc);
        }

        /// <summary>Loads the file if it exists, else an empty info.</summary>
        public static IpltInfo LoadOrCreate(string path) => File.Exists(path) ? Load(path) : Create();

        private XmlElement Root => _doc.DocumentElement!;

        private XmlElement? Find(string path, bool create)
        {
            XmlElement node = Root;
            foreach (var part in path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
            {
                XmlElement? next = null;
                foreach (XmlNode c in node.ChildNodes) if (c is XmlElement e && e.Name == part) { next = e; break; }
                if (next == null)
                {
                    if (!create) return null;
                    next = _doc.CreateElement(XmlConvert.EncodeLocalName(part));
                    node.AppendChild(next);
                }
                node = next;
            }
            return node;
        }

        /// <summary>The value of an item, or null when absent.</summary>
        public string? GetValue(string path)
        {
            var e = Find(path, false);
            return e != null && e.HasAttribute("value") ? e.GetAttribute("value") : null;
        }

        public bool HasGroup(string path) => Find(path, false) != null;

        /// <summary>Sets (creating groups as needed) an item's value and type.</summary>
        public void SetValue(string path, string value, string type)
        {
            var e = Find(path, true)!;
            e.SetAttribute("value", value);
            e.SetAttribute("type", type);
        }

        /// <summary>Every item below a group, as paths relative to it, in document order.</summary>
        public IEnumerable<(string Path, string Value, string Type)> Items(string groupPath)
        {
            var g = Find(groupPath, false);
            if (g == null) yield break;
            foreach (var item in Walk(g, "")) yield return item;
        }

        private static IEnumerable<(string, string, string)> Walk(XmlElement e, string prefix)
        {
            foreach (XmlNode c in e.ChildNodes)
            {
                if (!(c is XmlElement child)) continue;
                string p = prefix.Length == 0 ? child.Name : prefix + "/" + child.Name;
                if (child.HasAttribute("value")) yield return (p, child.GetAttribute("value"), child.GetAttribute("type"));
                foreach (var x in Walk(child, p)) yield return x;
            }
        }

        /// <summary>Removes a group or item (no-op when absent).</summary>
        public void Remove(string path)
        {
            var e = Find(path, false);
            e?.ParentNode?.RemoveChild(e);
        }

        /// <summary>Writes the file atomically, indented.</summary>
        public void Save(string path)
        {
            var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new System.Text.UTF8Encoding(false) };
            AtomicFile.Write(path, s =>
            {
                using var w = XmlWriter.Create(s, settings);
                _doc.Save(w);
            });
        }
    }
}
