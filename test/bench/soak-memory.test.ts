import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { commandName, descendants, parentPid, processTreeMemory, vmRssBytes } from "../../bench/soak-memory";

describe("parentPid", () => {
  it("reads the parent after a command name that holds spaces and parentheses", () => {
    expect(parentPid("4242 (a (b) c)) S 77 4242 4242 0 -1 4194560")).to.equal(77);
  });

  it("reads this process's parent from /proc/self/stat", function () {
    if (process.platform !== "linux") this.skip();

    expect(parentPid(readFileSync("/proc/self/stat", "utf8"))).to.equal(process.ppid);
  });
});

describe("vmRssBytes", () => {
  it("turns VmRSS's kB into bytes", () => {
    expect(vmRssBytes("Name:\tnode\nVmHWM:\t  900 kB\nVmRSS:\t  512 kB\nThreads:\t7\n")).to.equal(512 * 1024);
  });

  it("is NaN for a process without a resident set (a zombie)", () => {
    expect(vmRssBytes("Name:\tnode\nState:\tZ (zombie)\n")).to.deep.equal(Number.NaN);
  });
});

describe("commandName", () => {
  const cases = [
    {
      argv: [
        "/work/node_modules/node/bin/node",
        "-r",
        "ts-node/register/transpile-only",
        "/work/bench/stack-process.ts",
      ],
      name: "node stack-process.ts",
    },
    {
      argv: ["/work/node_modules/node/bin/node", "/work/node_modules/cognito-local/lib/bin/start.js"],
      name: "node cognito-local",
    },
    {
      argv: ["java", "-Djava.library.path=../lib", "-jar", "../lib/DynamoDBLocal.jar", "-inMemory"],
      name: "java DynamoDBLocal.jar",
    },
    { argv: ["node", "/app/node_modules/@scope/tool/bin/run.cjs"], name: "node @scope/tool" },
    { argv: ["/usr/bin/sleep", "30"], name: "sleep" },
  ];
  for (const { argv, name } of cases) {
    it(`names ${argv.join(" ")} "${name}"`, () => {
      expect(commandName(`${argv.join("\0")}\0`)).to.equal(name);
    });
  }
});

describe("descendants", () => {
  it("lists the root and everything below it, parents before their children, and nothing else", () => {
    const parents = new Map([
      [10, 1],
      [12, 11],
      [11, 10],
      [13, 10],
      [20, 1],
      [21, 20],
    ]);

    const tree = descendants(10, parents);

    expect([...tree].sort()).to.deep.equal([10, 11, 12, 13]);
    for (const pid of tree.slice(1)) expect(tree.indexOf(parents.get(pid) ?? -1)).to.be.lessThan(tree.indexOf(pid));
  });
});

describe("processTreeMemory", () => {
  let child: ChildProcess | undefined;

  before(function () {
    if (process.platform !== "linux") this.skip();
  });

  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = once(child, "exit");
      child.kill();
      await exited;
    }
  });

  it("holds this process and a child it started, each with its resident memory", async () => {
    child = spawn("sleep", ["30"], { stdio: "ignore" });
    await once(child, "spawn");

    const tree = processTreeMemory(process.pid);

    expect(tree[0]?.pid).to.equal(process.pid);
    const sleeper = tree.find((entry) => entry.pid === child?.pid);
    expect(sleeper?.command).to.equal("sleep");
    for (const entry of tree) expect(entry.rssBytes, entry.command).to.be.greaterThan(0);
  });
});
