#!/usr/bin/env python3
# PyTorch yardstick for the frozen row of `advgrad experiment transfer`
# (docs/transfer-learning.md): which pretrained Lite0 features, standardised,
# with a logistic-regression head (L-BFGS, L2 wd |W|^2), classify
# Fashion-MNIST best from 100 and 1,000 training images, with and without
# mirrored copies of the training images? Scored on training images
# 10,000-10,499: the experiment's validation slice, never the test split.
# Prints "n features wd: plain/mirrored ..." validation accuracies.
# Run with ~/.cache/advgrad-torch-venv/bin/python (1 thread, about 2 minutes).
import sys, os, gzip, numpy as np, torch, torch.nn.functional as F, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_efficientnet_lite0 import Lite0
torch.set_num_threads(1)
m = Lite0(); m.load_state_dict(torch.load(os.path.expanduser('~/.cache/advgrad/pretrained/efficientnet-lite0.pth'), weights_only=True)); m.eval()
d='/usr/share/datasets/fashion-mnist'
def rd(f, off):
    p=os.path.join(d,f); o=gzip.open(p) if os.path.exists(p) else open(p[:-3],'rb'); return np.frombuffer(o.read(), np.uint8, offset=off)
X=rd('train-images-idx3-ubyte.gz',16).reshape(-1,28,28); Y=rd('train-labels-idx1-ubyte.gz',8)
def feats(imgs, size=64):
    out={}
    with torch.no_grad():
        x=torch.tensor(imgs,dtype=torch.float32)[:,None]/255
        x=F.interpolate(x,size=(size,size),mode='bilinear',antialias=True,align_corners=False).repeat(1,3,1,1)
        h=F.relu6(m._bn0(m._conv_stem((x*255-127)/128)))
        for i,b in enumerate(m._blocks):
            h=b(h)
            if i in (7,10,15): out[i]=h.mean((2,3))
        out['head']=F.relu6(m._bn1(m._conv_head(h))).mean((2,3))
    return out
def batched(imgs):
    parts=[feats(imgs[i:i+200]) for i in range(0,len(imgs),200)]
    return {k:torch.cat([p[k] for p in parts]) for k in parts[0]}
t=time.time()
tr=batched(X[:1000]); trf=batched(X[:1000,:,::-1].copy()); va=batched(X[10000:10500])
print('features',time.time()-t, flush=True)
ytr=torch.tensor(Y[:1000]).long(); yva=torch.tensor(Y[10000:10500]).long()
def fit(Ftr, ytr, Fva, wd):
    mu=Ftr.mean(0); sd=(Ftr.var(0,unbiased=False)+1e-5).sqrt()
    A=(Ftr-mu)/sd; B=(Fva-mu)/sd
    W=torch.zeros(A.shape[1],10,requires_grad=True); b=torch.zeros(10,requires_grad=True)
    opt=torch.optim.LBFGS([W,b],max_iter=300,line_search_fn='strong_wolfe')
    def cl():
        opt.zero_grad(); l=F.cross_entropy(A@W+b,ytr)+wd*(W*W).sum(); l.backward(); return l
    opt.step(cl)
    return ((B@W+b).argmax(1)==yva).float().mean().item()
sets={'head':['head'],'b15':[15],'b10':[10],'b7+b10+b15':[7,10,15],'b10+b15+head':[10,15,'head'],'b15+head':[15,'head']}
for n in (100,1000):
    for name,ks in sets.items():
        c=lambda D: torch.cat([D[k] for k in ks],1)
        res=[]
        for wd in (1e-4,1e-3,1e-2):
            a=fit(c(tr)[:n],ytr[:n],c(va),wd)
            af=fit(torch.cat([c(tr)[:n],c(trf)[:n]]),torch.cat([ytr[:n],ytr[:n]]),c(va),wd)
            res.append(f'{wd:g}: {100*a:.1f}/{100*af:.1f}')
        print(n,name,' '.join(res),flush=True)
