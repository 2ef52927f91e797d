import os,statistics
def load(d):
    rows={}
    for line in open(os.path.join(d,'results.md')):
        c=[x.strip() for x in line.split('|')]
        if len(c)>5 and c[1] in ('redis-cache-manager','tiercache-peers'):
            rows[(c[1],c[2])]=(float(c[4].replace(',','')),float(c[5].replace(',','')))
    r={}
    for t in ('1','8','32'):
        a=rows[('redis-cache-manager',t)]; p=rows[('tiercache-peers',t)]
        r[t]=(p[0]/a[0],p[1]/a[1])
    return r
groups={
 'before':['113249Z','113741Z','114043Z','121423Z','121811Z','124346Z','124831Z'],
 'after':['121552Z','121703Z','121920Z','122501Z','122730Z','123126Z','123712Z','124455Z','124603Z','124721Z','124938Z'],
 'two loops':['122153Z','122305Z','122611Z','122845Z','123012Z','123603Z'],
}


for g,runs in groups.items():
    data=[load('2026-12-01T'+x+'-quick') for x in runs]
    print(g, len(runs))
    for t in ('1','8','32'):
        p50=sorted(d[t][0] for d in data); p99=sorted(d[t][1] for d in data)
        print("  %s threads: p50 %.2f-%.2fx median %.2fx, below in %d/%d | p99 %.2f-%.2fx median %.2fx, below in %d/%d"%(t,p50[0],p50[-1],statistics.median(p50),sum(x<1 for x in p50),len(p50),p99[0],p99[-1],statistics.median(p99),sum(x<1 for x in p99),len(p99)))
