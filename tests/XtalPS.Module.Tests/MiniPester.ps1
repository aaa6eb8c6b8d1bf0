# MiniPester: a small stand-in for Pester 5, so that tests/pester/*.Tests.ps1 run where Pester cannot be
# installed (the module tests dot-source this file, then call Invoke-MiniPester on each suite).
# It follows Pester 5's two phases: discovery runs the file and the Describe/Context bodies to collect blocks
# and tests; the run phase then executes BeforeAll/AfterAll once per block (in the block's scope), and each
# It in a child scope after the BeforeEach blocks of every enclosing block, outermost first.
# Supported: Describe, Context, It (-Skip), BeforeAll, AfterAll, BeforeEach, AfterEach, $TestDrive (a fresh
# folder per block), and Should with -Be, -BeExactly, -BeLike, -BeLessThan, -BeGreaterThan, -BeNullOrEmpty,
# -HaveCount, -BeTrue, -BeFalse, -Contain, -Match, -BeOfType, -Throw (-PassThru, -ExpectedMessage), -Not.
# Anything else is an error, so a suite that needs more of Pester fails loudly here instead of passing.

function New-MiniPesterNode([string] $Name, [string] $Kind, $Parent) {
    [pscustomobject]@{
        Name       = $Name
        Kind       = $Kind
        Parent     = $Parent
        Skip       = $false
        Body       = $null
        BeforeAll  = [System.Collections.Generic.List[scriptblock]]::new()
        AfterAll   = [System.Collections.Generic.List[scriptblock]]::new()
        BeforeEach = [System.Collections.Generic.List[scriptblock]]::new()
        AfterEach  = [System.Collections.Generic.List[scriptblock]]::new()
        Children   = [System.Collections.Generic.List[object]]::new()
    }
}

function Describe {
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [Parameter(Position = 1)] [scriptblock] $Fixture,
          [string[]] $Tag, [switch] $Skip)
    if ($null -eq $global:MiniPesterNode) { throw "Describe '$Name' ran outside Invoke-MiniPester." }
    $node = New-MiniPesterNode $Name 'Block' $global:MiniPesterNode
    $node.Skip = [bool] $Skip
    $global:MiniPesterNode.Children.Add($node)
    $outer = $global:MiniPesterNode
    $global:MiniPesterNode = $node
    try { . $Fixture } finally { $global:MiniPesterNode = $outer }
}

function Context {
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [Parameter(Position = 1)] [scriptblock] $Fixture,
          [string[]] $Tag, [switch] $Skip)
    Describe -Name $Name -Fixture $Fixture -Tag $Tag -Skip:$Skip
}

function It {
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [Parameter(Position = 1)] [scriptblock] $Test,
          [string[]] $Tag, [switch] $Skip)
    $node = New-MiniPesterNode $Name 'Test' $global:MiniPesterNode
    $node.Body = $Test
    $node.Skip = [bool] $Skip -or $null -eq $Test
    $global:MiniPesterNode.Children.Add($node)
}

function BeforeAll([Parameter(Mandatory, Position = 0)] [scriptblock] $Scriptblock) { $global:MiniPesterNode.BeforeAll.Add($Scriptblock) }
function AfterAll([Parameter(Mandatory, Position = 0)] [scriptblock] $Scriptblock) { $global:MiniPesterNode.AfterAll.Add($Scriptblock) }
function BeforeEach([Parameter(Mandatory, Position = 0)] [scriptblock] $Scriptblock) { $global:MiniPesterNode.BeforeEach.Add($Scriptblock) }
function AfterEach([Parameter(Mandatory, Position = 0)] [scriptblock] $Scriptblock) { $global:MiniPesterNode.AfterEach.Add($Scriptblock) }

function Test-MiniPesterEqual($Actual, $Expected, [bool] $CaseSensitive) {
    $actualIsList = $Actual -is [System.Collections.IList]
    $expectedIsList = $Expected -is [System.Collections.IList]
    if ($actualIsList -or $expectedIsList) {
        $a = @($Actual); $e = @($Expected)
        if ($a.Count -ne $e.Count) { return $false }
        for ($i = 0; $i -lt $a.Count; $i++) { if (-not (Test-MiniPesterEqual $a[$i] $e[$i] $CaseSensitive)) { return $false } }
        return $true
    }
    if ($null -eq $Actual -or $null -eq $Expected) { return $null -eq $Actual -and $null -eq $Expected }
    if ($CaseSensitive) { return $Actual -ceq $Expected }
    return $Actual -eq $Expected
}

function Format-MiniPesterValue($Value) {
    if ($null -eq $Value) { return '$null' }
    if ($Value -is [System.Collections.IList]) { return '@(' + ((@($Value) | ForEach-Object { Format-MiniPesterValue $_ }) -join ', ') + ')' }
    if ($Value -is [string]) { return "'$Value'" }
    return "$Value"
}

function Should {
    param(
        [Parameter(ValueFromPipeline)] $ActualValue,
        [Parameter(Position = 0)] $ExpectedValue,
        [switch] $Not, [switch] $Be, [switch] $BeExactly, [switch] $BeLike, [switch] $BeLessThan, [switch] $BeGreaterThan,
        [switch] $BeNullOrEmpty, [switch] $HaveCount, [switch] $BeTrue, [switch] $BeFalse, [switch] $Contain,
        [switch] $Match, [switch] $BeOfType, [switch] $Throw, [switch] $PassThru,
        [string] $ExpectedMessage, [string] $Because
    )
    begin { $items = [System.Collections.Generic.List[object]]::new() }
    process { $items.Add($ActualValue) }
    end {
        $actual = if ($items.Count -eq 1) { $items[0] } else { , $items.ToArray() }
        $operators = @('Be', 'BeExactly', 'BeLike', 'BeLessThan', 'BeGreaterThan', 'BeNullOrEmpty', 'HaveCount', 'BeTrue',
                       'BeFalse', 'Contain', 'Match', 'BeOfType', 'Throw') | Where-Object { $PSBoundParameters.ContainsKey($_) }
        if (@($operators).Count -ne 1) { throw "MiniPester: Should needs exactly one operator, got '$($operators -join ', ')'." }
        $operator = @($operators)[0]
        $thrown = $null
        switch ($operator) {
            'Be'            { $ok = Test-MiniPesterEqual $actual $ExpectedValue $false }
            'BeExactly'     { $ok = Test-MiniPesterEqual $actual $ExpectedValue $true }
            'BeLike'        { $ok = "$actual" -like $ExpectedValue }
            'BeLessThan'    { $ok = $actual -lt $ExpectedValue }
            'BeGreaterThan' { $ok = $actual -gt $ExpectedValue }
            'BeNullOrEmpty' { $ok = $items.Count -eq 0 -or $null -eq $actual -or ($actual -is [string] -and $actual.Length -eq 0) -or ($actual -is [System.Collections.IList] -and $actual.Count -eq 0) }
            'HaveCount'     { $ok = $items.Count -eq $ExpectedValue }
            'BeTrue'        { $ok = [bool] $actual }
            'BeFalse'       { $ok = -not [bool] $actual }
            'Contain'       { $ok = @($items) -contains $ExpectedValue }
            'Match'         { $ok = "$actual" -match $ExpectedValue }
            'BeOfType'      { $ok = $actual -is $ExpectedValue }
            'Throw' {
                if ($actual -isnot [scriptblock]) { throw 'MiniPester: Should -Throw takes a script block.' }
                try { & $actual | Out-Null; $ok = $false } catch { $thrown = $_; $ok = $true }
                if ($ok -and $ExpectedMessage -and $thrown.Exception.Message -notlike $ExpectedMessage) { $ok = $false }
            }
        }
        if ($Not) { $ok = -not $ok }
        if (-not $ok) {
            $expectation = if ($Not) { "not $operator" } else { $operator }
            $detail = if ($operator -eq 'HaveCount') { "$($items.Count) items" } else { Format-MiniPesterValue $actual }
            $why = if ($Because) { " because $Because" } else { '' }
            throw "Expected -$expectation $(Format-MiniPesterValue $ExpectedValue)$why, but got $detail."
        }
        if ($PassThru -and $operator -eq 'Throw') { return $thrown }
    }
}

function Invoke-MiniPesterBlock($__mpNode, [string] $__mpPath, $__mpResults) {
    # Runs in its own scope: what BeforeAll sets is seen by the tests of this block and of the blocks inside it.
    $TestDrive = Join-Path ([System.IO.Path]::GetTempPath()) ('MiniPester_' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $TestDrive | Out-Null
    try {
        $__mpSetupError = $null
        if (-not $__mpNode.Skip) {
            try { foreach ($__mpBlock in $__mpNode.BeforeAll) { . $__mpBlock | Out-Null } }
            catch { $__mpSetupError = "BeforeAll failed: $_`n$($_.ScriptStackTrace)" }
        }
        foreach ($__mpChild in $__mpNode.Children) {
            $__mpName = if ($__mpPath) { "$__mpPath > $($__mpChild.Name)" } else { $__mpChild.Name }
            if ($__mpChild.Kind -eq 'Block') {
                if ($__mpNode.Skip) { $__mpChild.Skip = $true }
                if ($__mpSetupError) {
                    $__mpResults.Add([pscustomobject]@{ Name = $__mpName; Result = 'Failed'; Message = $__mpSetupError })
                    continue
                }
                Invoke-MiniPesterBlock $__mpChild $__mpName $__mpResults
                continue
            }
            if ($__mpNode.Skip -or $__mpChild.Skip) {
                $__mpResults.Add([pscustomobject]@{ Name = $__mpName; Result = 'Skipped'; Message = '' })
                continue
            }
            if ($__mpSetupError) {
                $__mpResults.Add([pscustomobject]@{ Name = $__mpName; Result = 'Failed'; Message = $__mpSetupError })
                continue
            }
            $__mpChain = [System.Collections.Generic.List[object]]::new()
            for ($__mpAt = $__mpChild.Parent; $null -ne $__mpAt; $__mpAt = $__mpAt.Parent) { $__mpChain.Insert(0, $__mpAt) }
            & {
                try {
                    foreach ($__mpAt in $__mpChain) { foreach ($__mpEach in $__mpAt.BeforeEach) { . $__mpEach | Out-Null } }
                    . $__mpChild.Body | Out-Null
                    $__mpResults.Add([pscustomobject]@{ Name = $__mpName; Result = 'Passed'; Message = '' })
                }
                catch {
                    $__mpResults.Add([pscustomobject]@{ Name = $__mpName; Result = 'Failed'; Message = "$_`n$($_.ScriptStackTrace)" })
                }
                finally {
                    for ($__mpI = $__mpChain.Count - 1; $__mpI -ge 0; $__mpI--) { foreach ($__mpEach in $__mpChain[$__mpI].AfterEach) { . $__mpEach | Out-Null } }
                }
            }
        }
        if (-not $__mpNode.Skip) { foreach ($__mpBlock in $__mpNode.AfterAll) { . $__mpBlock | Out-Null } }
    }
    finally {
        Remove-Item -LiteralPath $TestDrive -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Suites say "#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }". An empty module named
# Pester (no commands: the functions above do the work) satisfies that line.
function Enable-MiniPesterRequires {
    if (Get-Module -Name Pester) { return }
    $folder = Join-Path ([System.IO.Path]::GetTempPath()) ('MiniPester_module_' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path (Join-Path $folder 'Pester') | Out-Null
    $manifest = Join-Path $folder 'Pester/Pester.psd1'
    Set-Content -LiteralPath $manifest -Value "@{ ModuleVersion = '5.99.0'; GUID = 'a699dea5-2c73-4616-a270-1f7abb777e71'; FunctionsToExport = @(); CmdletsToExport = @() }"
    Import-Module -Name $manifest
    Remove-Item -LiteralPath $folder -Recurse -Force
}

function Invoke-MiniPester([Parameter(Mandatory)] [string] $Path) {
    Enable-MiniPesterRequires
    $root = New-MiniPesterNode ([System.IO.Path]::GetFileName($Path)) 'Block' $null
    $global:MiniPesterNode = $root
    try { . $Path } finally { $global:MiniPesterNode = $null }
    $results = [System.Collections.Generic.List[object]]::new()
    Invoke-MiniPesterBlock $root '' $results
    $results
}
